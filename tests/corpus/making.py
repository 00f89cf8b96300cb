"""Small PDF and .docx files made by the tests themselves (no fixtures from elsewhere)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def make_pdf(pages: list[list[str]], meta: dict[str, str] | None = None, password: str | None = None) -> bytes:
    """A PDF whose pages draw these lines in Helvetica, one under the other ('' leaves a line empty)."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        ops = ["BT /F1 11 Tf 14 TL 72 740 Td"]
        for line in lines:
            text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({text}) Tj T*" if line else "T*")
        ops.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("cp1252"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    if meta:
        writer.add_metadata(meta)
    if password:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_docx(*, title: str | None = None, paragraphs: list[str], table: list[list[str]] | None = None,
              author: str | None = None, created: dt.datetime | None = None) -> bytes:
    doc = Document()
    if title:
        doc.add_paragraph(title, style="Title")
    for text in paragraphs:
        doc.add_paragraph(text)
    if table:
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    doc.core_properties.author = author or "python-docx"
    if created:
        doc.core_properties.created = created
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
