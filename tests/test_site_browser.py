"""The site in a real browser: headless Chromium opens every page of `make site` over http.

Builds the site into pytest's temporary folder (with a screenshot of every page in its
screenshots/), never into the checkout, where parallel tests watch for writes; serves it on
127.0.0.1 and checks what only a browser shows: pages load, every image decodes, no error
output, the index links every notebook. Requests leaving the local server (the lab template's
MathJax and require.js from a CDN) are blocked, so the test needs no network. Skipped when
Chromium is not installed, except in CI (.ci/run installs Debian's package and requires it).
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from playwright.sync_api import Page, sync_playwright

from analysis import paths, pipeline, site
from tests.helpers import CHROMIUM_ARGS, chromium

NOTEBOOKS = pipeline.notebooks()
ERROR_OUTPUT = '[data-mime-type="application/vnd.jupyter.stderr"]'  # how the lab template marks errors and stderr

pytestmark = pytest.mark.browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # no request log on the test output
        pass


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """The committed notebooks, results and figures built into a temporary site folder."""
    folder = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(paths.OUTPUT_ROOT_VARIABLE, str(paths.ROOT))
        site.build(folder)
    return folder


@pytest.fixture(scope="module")
def base_url(built_site):
    """The built site served over http on 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=built_site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def executable() -> str:
    return chromium()


@pytest.fixture(scope="module")
def page(executable, base_url):
    """A Chromium page that may only reach the local server (Chromium looked for first, before the site is built)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url) else route.abort())
        yield page
        browser.close()


@pytest.mark.parametrize("name", ["index", *NOTEBOOKS])
def test_page_loads_with_every_image_and_no_error_output(page: Page, base_url: str, built_site, name: str):
    response = page.goto(f"{base_url}{name}.html", wait_until="load")
    assert response is not None and response.status == 200
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)")
    assert broken == []
    assert page.locator(ERROR_OUTPUT).count() == 0
    assert "Traceback" not in page.inner_text("body")
    (built_site / "screenshots").mkdir(exist_ok=True)
    page.screenshot(path=built_site / "screenshots" / f"{name}.png", full_page=True)


def test_index_links_every_notebook_page_and_shows_every_figure(page: Page, base_url: str):
    page.goto(f"{base_url}index.html", wait_until="load")
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert all(f"{base_url}{name}.html" in links for name in NOTEBOOKS)
    figures = sorted(path.name for path in (paths.ROOT / "figures").glob("*.png"))
    assert page.eval_on_selector_all("img", "images => images.map(i => i.alt)") == figures
    assert page.locator("table").count() == 2  # the notebooks map and the results, rendered as tables
