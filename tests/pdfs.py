"""PDFs in browser tests: read one (keeping its first page as PNG beside the
screenshots), and get the one a link answers with.

Chromium opens an inline PDF in its own viewer (an extension whose requests the `page`
fixture counts as foreign), so `clicked_pdf` lets the click go to the server as it is,
keeps the answer, and hands it to the browser as a download instead of a viewer tab."""

import io
import subprocess

from pypdf import PdfReader

from tests.conftest import ARTIFACTS


def read_pdf(data: bytes, name: str) -> tuple[int, str]:
    """Page count and text; the first page is kept as PNG next to the screenshots."""
    assert data.startswith(b"%PDF-")
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(folder / f"{name}.pdf"), str(folder / name)],
                   check=True)
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def clicked_pdf(page, link) -> bytes:
    """Click a PDF link; the server's answer (with the page's session) is returned."""
    href = link.get_attribute("href")
    answers = []

    def handle(route):
        response = route.fetch()
        answers.append(response)
        headers = {**response.headers, "content-disposition": "attachment"}
        route.fulfill(response=response, headers=headers)

    page.route(lambda url: url.endswith(href), handle)
    with page.expect_download() as download:
        link.click()
    download.value.cancel()
    page.unroute_all()
    (answer,) = answers
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline; filename=")
    return answer.body()
