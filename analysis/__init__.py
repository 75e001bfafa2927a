"""Analysis package of the micro-work research compendium.

Notebooks in ``notebooks/`` stay thin: every computation they show is a tested
function in this package. Modules are named after the method they implement.
"""
