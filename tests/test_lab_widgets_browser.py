"""The explorers in a real JupyterLab: headless Chromium runs a notebook and uses its widget.

A copy of notebook 08 is served from a temporary folder (so lab's autosave cannot touch the
committed notebook) and the kernel writes figures and results to a temporary output root.
JupyterLab's application object is exposed to the page (``--expose-app-in-browser``) so the
test can run every cell with the same command as the Run menu. Skipped without Chromium.
"""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

from analysis import paths
from tests.helpers import CHROMIUM_ARGS, chromium, jupyter_lab

NOTEBOOK = "08-fair-pay-in-research.ipynb"
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.browser


def shown(locator) -> str:
    """The text of an element, whitespace collapsed (off-screen cells have no innerText in lab 4)."""
    return " ".join(locator.text_content().split())


def test_fair_pay_form_renders_and_recomputes_in_jupyterlab(tmp_path):
    executable = chromium()
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(paths.NOTEBOOKS / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    environment = {paths.OUTPUT_ROOT_VARIABLE: str(tmp_path / "output"), paths.BATCH_VARIABLE: ""}  # a reader
    with jupyter_lab(root, tmp_path / "lab", environment, options=("--expose-app-in-browser",)) as server, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{server.url}/lab/tree/notebooks/{NOTEBOOK}?token={server.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status"
                               " === 'idle'")  # the kernel is up: run-all would otherwise race its start
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        reward = page.locator(".widget-inline-hbox", has_text="task_reward").locator("input")
        reward.wait_for(state="attached")  # cells off screen are attached but not painted
        reward.scroll_into_view_if_needed()
        form = page.locator(".jupyter-widgets.widget-vbox", has=reward).first
        output = form.locator(".widget-output")
        output.get_by_text("effective hourly pay").wait_for()
        assert "effective hourly pay 4.58" in shown(output)  # 1.00 for 10 + 2 + 10 x 0.1/0.9 minutes (2 decimals)
        reward.fill("2")
        reward.press("Enter")
        page.wait_for_function("output => output.textContent.replace(/\\s+/g, ' ').includes('effective hourly pay 9.15')",
                               arg=output.element_handle())  # the reward doubled, the pay too
        assert "Traceback" not in page.locator(".jp-Notebook").text_content()
        browser.close()
    assert list((tmp_path / "output" / "figures").glob("08-fair-pay-in-research-*.png"))  # not in the repository
