"""Reader tests: one Vietnamese sentence written in every encoding and file format the reader takes,
hostile files it refuses, and the conversion tables. Inputs are built at test time in tmp_path."""

from __future__ import annotations

import builtins
import doctest
import io
import struct
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from luocdo.kg import formats, pdftext, reader
from luocdo.kg.errors import ReadError
from luocdo.kg.reader import Limits, detect, read_text, text_from_bytes

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

SENTENCE = ("Cộng hòa xã hội chủ nghĩa Việt Nam. Số: 171/KH-PGDĐT. Kế hoạch nhiệm vụ năm học 2023 - 2024 "
            "của Phòng Giáo dục và Đào tạo huyện Gia Lộc.")
# A header as printed: capitals (TCVN3 typed these with lower-case codes in .VnTimeH) over a motto.
HEADING = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nỦY BAN NHÂN DÂN HUYỆN GIA LỘC"


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def refused(path: Path, fragment: str, limits: Limits | None = None) -> ReadError:
    """Read ``path`` expecting a ReadError whose one-line message names the file and says ``fragment``."""
    with pytest.raises(ReadError) as info:
        read_text(path, limits)
    err = info.value
    name = unicodedata.normalize("NFC", str(path))
    assert err.path == name
    assert str(err).startswith(f"{name}: ")
    assert fragment in err.problem
    assert "\n" not in str(err)
    return err


# -- encodings -----------------------------------------------------------------------------------

ENCODED = {
    "utf-8 NFC": lambda s: s.encode("utf-8"),
    "utf-8 NFD": lambda s: nfd(s).encode("utf-8"),
    "utf-8 BOM": lambda s: s.encode("utf-8-sig"),
    "utf-16 LE BOM": lambda s: b"\xff\xfe" + s.encode("utf-16-le"),
    "utf-16 BE BOM": lambda s: b"\xfe\xff" + s.encode("utf-16-be"),
    "cp1258": lambda s: formats.encode_legacy(s, "cp1258"),
    "tcvn3": lambda s: formats.encode_legacy(s, "tcvn3"),
    "vni": lambda s: formats.encode_legacy(s, "vni"),
}


@pytest.mark.parametrize("encoding", ENCODED)
@pytest.mark.parametrize("text", [SENTENCE, HEADING], ids=["sentence", "heading"])
def test_every_encoding_reads_back_the_same_nfc_text(tmp_path, encoding, text):
    path = write(tmp_path, "doc.txt", ENCODED[encoding](text))
    assert read_text(path) == text


@pytest.mark.parametrize(
    ("encoding", "decided"),
    [("utf-8 NFD", "utf-8"), ("utf-8 BOM", "utf-8-sig"), ("utf-16 BE BOM", "utf-16-be"), ("cp1258", "cp1258"),
     ("tcvn3", "tcvn3"), ("vni", "vni")],
)
def test_decode_bytes_names_the_encoding_it_decided_on(encoding, decided):
    got = formats.decode_bytes(ENCODED[encoding](SENTENCE))
    assert (got.text, got.encoding) == (SENTENCE, decided)


def test_windows_1258_combining_marks_become_nfc():
    raw = formats.encode_legacy("Lộc", "cp1258")
    assert raw == b"L\xf4\xf2c"  # "ô" then the dot below as a combining mark
    assert formats.decode_bytes(raw).text == "Lộc"


@pytest.mark.parametrize("legacy", ["tcvn3", "vni"])
def test_mojibake_is_converted_never_returned(tmp_path, legacy):
    # The legacy bytes were once opened as Latin-1 and saved as UTF-8: "Céng hßa x· héi ...".
    mojibake = formats.encode_legacy(SENTENCE, legacy).decode("latin-1")
    assert mojibake != SENTENCE
    path = write(tmp_path, "doc.txt", mojibake.encode("utf-8"))
    assert read_text(path) == SENTENCE


def test_utf8_read_as_cp1252_is_converted(tmp_path):
    # Windows shows bytes cp1252 leaves undefined (0x90 in "ệ") as the Latin-1 control of that value.
    as_cp1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in SENTENCE.encode())
    double = as_cp1252.encode("utf-8")  # "Cá»™ng hÃ²a"
    assert read_text(write(tmp_path, "doc.md", double)) == SENTENCE


def test_mojibake_that_no_table_undoes_is_refused(tmp_path):
    # TCVN3 signature characters ("¸", "·", "µ") all over, but no table makes syllables of them.
    path = write(tmp_path, "hỏng.txt", "C¸¸ng h¸µa x·· h¸¸i ch¸µ ngh·¸a V¸¸t".encode())
    refused(path, "mis-decoded legacy Vietnamese")


def test_bytes_that_are_no_vietnamese_in_any_encoding_are_refused(tmp_path):
    path = write(tmp_path, "sjis.txt", "日本語のテキストです。".encode("shift_jis"))
    refused(path, "unknown encoding (detected: not UTF-8")


@pytest.mark.parametrize(
    "text",
    ["Lào Cai, Cà Mau và Bà Rịa", "São Paulo, Zürich, café", "Ông bà, cô chú\nCó thể là", "Tỉnh Đắk Lắk"],
)
def test_real_unicode_with_latin1_letters_is_left_alone(tmp_path, text):
    assert read_text(write(tmp_path, "ok.txt", text.encode())) == text


def test_invisible_characters_are_kept_for_the_cleaner(tmp_path):
    # clean() deletes these with an offset map; stripping them here would shift every offset.
    text = "Số:\u00a0171/KH-\u00adPGD\u200bĐT\u2060 ngày\ufeff 5"
    assert read_text(write(tmp_path, "inv.txt", text.encode())) == text


def test_the_shared_corpus_reads_as_its_utf8(tmp_path):
    files = sorted((SHARED / "corpus").glob("*.txt")) + sorted((SHARED / "seeds").glob("*.txt"))
    if not files:
        pytest.skip("no shared corpus beside the repository")
    for f in files:
        assert read_text(f) == unicodedata.normalize("NFC", f.read_text(encoding="utf-8")), f.name


# -- the conversion tables -------------------------------------------------------------------------


@pytest.mark.parametrize("legacy", formats.LEGACY)
def test_table_examples_convert(legacy):
    for old, new in formats.examples(legacy):
        assert formats.decode_legacy(old, legacy) == new
        assert formats.repair(old) == (new, legacy)


@pytest.mark.parametrize("legacy", formats.LEGACY)
def test_tables_are_one_to_one_on_vietnamese_letters(legacy):
    m = formats.table(legacy)
    assert len(set(m.values())) == len(m)
    for old, letter in m.items():
        assert unicodedata.normalize("NFC", letter) == letter and len(letter) == 1
        assert all(0xA0 <= ord(c) <= 0xFF or c.isascii() for c in old)
        # Mid-sentence, where no capital is implied ("ñ" alone at a sentence start reads "Ủ").
        assert formats.decode_legacy("a " + old, legacy) == "a " + letter
    # VNI spells every letter, both cases: 67 lower-case with marks, their capitals.
    assert len(m) == (74 if legacy == "tcvn3" else 134)


_VI = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
_LOWER = st.text(alphabet=_VI + " 0123456789.,", max_size=40)
_ANY_CASE = st.text(alphabet=_VI + _VI.upper() + " 0123456789.,", max_size=40)


@settings(max_examples=200, deadline=None)
@given(_ANY_CASE)
def test_vni_and_cp1258_round_trip_any_vietnamese_text(text):
    for legacy in ("vni", "cp1258"):
        assert formats.decode_legacy(formats.encode_legacy(text, legacy).decode("latin-1"), legacy) == text


@settings(max_examples=200, deadline=None)
@given(_LOWER)
def test_tcvn3_round_trips_lower_case_text(text):
    # Up to case: a sentence's first toned vowel ("ñy ban") is taken for a capital, as on paper.
    legacy = formats.encode_legacy(text, "tcvn3").decode("latin-1")
    assert formats.decode_legacy(legacy, "tcvn3").lower() == text


@pytest.mark.parametrize(
    "text",
    ["ỦY BAN NHÂN DÂN TỈNH\nỦy ban nhân dân tỉnh ban hành. Ủy ban giao:\n- Ấn định ngày",
     "Số: 171/KH-PGDĐT\nXã hội, xã hội\nCỘNG HÒA XÃ HỘI", "Nơi nhận của\nủy ban, ấn phẩm"],
)
def test_tcvn3_restores_capitals_typed_with_lower_case_codes(text):
    assert formats.decode_legacy(formats.encode_legacy(text, "tcvn3").decode("latin-1"), "tcvn3") == text


@pytest.mark.parametrize(
    ("word", "ok"),
    [("nghĩa", True), ("người", True), ("quốc", True), ("khuỷu", True), ("giếng", True), ("Đắk", True),
     ("hßa", False), ("caù", False), ("nghóa", False), ("ceng", False), ("tiê", False), ("hoảng", True),
     ("cáu", True), ("Vieät", False)],
)
def test_syllable_checker(word, ok):
    assert formats.is_syllable(word) is ok


# -- formats by content ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
        (b"\x00\x01\x02 binary", "application/octet-stream"),
        (b"junk before %PDF-1.4\n", "pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "application/x-ole-storage"),
        (b"\x7fELF\x02\x01\x01", "application/x-executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "application/x-msdownload"),
        (b"{\\rtf1\\ansi", "application/rtf"),
        (b"<!DOCTYPE html>\n<html lang='vi'>", "html"),
        (b"\xef\xbb\xbf  <html><body>", "html"),
        ("<html><body>Kế hoạch</body></html>".encode("utf-16"), "html"),
        (b"<p>not a page, a paragraph in markdown</p>", "text"),
        ("# Kế hoạch\n\n**Số:** 171".encode(), "text"),
        (b"", "text"),
    ],
)
def test_detect_by_content(data, kind):
    assert detect(data) == kind


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        ("scan.txt", PNG, "image/png"),
        ("scan.jpg", b"\xff\xd8\xff\xdb" + b"\x00" * 20, "image/jpeg"),
        ("tool.docx", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, "application/x-executable"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "application/x-ole-storage"),
        ("blob.bin", b"\x00\x01\x02\x03 binary", "application/octet-stream"),
    ],
)
def test_unsupported_formats_are_refused_by_content(tmp_path, name, data, mime):
    refused(write(tmp_path, name, data), f"unsupported format: {mime}")


def test_zip_that_is_not_a_docx_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "Kế hoạch")
    refused(write(tmp_path, "notes.docx", buf.getvalue()), "unsupported format: application/zip")


def test_extension_lies_are_seen_through(tmp_path):
    assert read_text(write(tmp_path, "page.txt", page().encode())).startswith("Kế hoạch nhiệm vụ")
    assert read_text(write(tmp_path, "plan.pdf", SENTENCE.encode())) == SENTENCE
    assert read_text(write(tmp_path, "plan.docx", formats.encode_legacy(SENTENCE, "vni"))) == SENTENCE


def test_reported_file_names_are_nfc(tmp_path):
    path = write(tmp_path, nfd("Ảnh chụp.txt"), PNG)
    err = refused(path, "image/png")
    assert "Ảnh chụp.txt" in str(err)


# -- limits ----------------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_without_opening_it(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: no disk is used
        fh.truncate(Limits().max_file_bytes + 1)

    def no_open(*args, **kwargs):
        raise AssertionError("the reader opened a file it should refuse from stat()")

    monkeypatch.setattr(builtins, "open", no_open)
    refused(path, f"over the limit of {Limits().max_file_bytes}")
    refused(path, "over the limit of 10", Limits(max_file_bytes=10))


def test_text_over_the_character_limit_is_refused(tmp_path):
    refused(write(tmp_path, "long.txt", SENTENCE.encode()), "over the limit of 20", Limits(max_text_chars=20))


def test_missing_file_and_folder_are_refused(tmp_path):
    refused(tmp_path / "không có.txt", "No such file")
    refused(tmp_path, "not a regular file")


# -- HTML ------------------------------------------------------------------------------------------


def page(body: str | None = None, charset: str = "utf-8") -> str:
    body = body if body is not None else (
        "<article><h1>Kế hoạch nhiệm vụ năm học 2023 - 2024</h1>"
        "<p>Số: 171/KH-PGDĐT</p><p>Phòng Giáo dục và <b>Đào tạo</b>\n   huyện Gia Lộc.</p>"
        "<table><tr><td>UBND HUYỆN GIA LỘC<td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</tr></table></article>")
    return (f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>Cổng thông tin</title>"
            "<style>p { color: red }</style><script>var menu = 'Trang chủ';</script></head><body>"
            "<header><div class='logo'>Cổng thông tin điện tử</div></header>"
            "<nav><ul><li><a href='/'>Trang chủ</a><li><a href='/tin'>Tin tức</a></ul></nav>"
            "<div class='top-menu'><a href='/a'>Giới thiệu</a> <a href='/b'>Liên hệ</a></div>"
            f"{body}<aside>Tin liên quan</aside><footer>Bản quyền 2024 Phòng GD&amp;ĐT</footer>"
            "</body></html>")


ARTICLE = ("Kế hoạch nhiệm vụ năm học 2023 - 2024\nSố: 171/KH-PGDĐT\n"
           "Phòng Giáo dục và Đào tạo huyện Gia Lộc.\n"
           "UBND HUYỆN GIA LỘC | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")


def test_html_gives_only_the_article_text(tmp_path):
    assert read_text(write(tmp_path, "page.html", page().encode())) == ARTICLE


def test_html_main_wins_and_entities_are_decoded():
    html = page("<main><p>K&#7871; ho&#7841;ch &amp; nhiệm vụ</p></main><article><p>Tin khác</p></article>")
    assert reader.html_text(html) == "Kế hoạch & nhiệm vụ"


def test_html_article_header_is_kept_and_role_main_counts():
    html = page("<div role='main'><header><h1>Kế hoạch</h1></header><p>Số: 171/KH-PGDĐT</p></div>")
    assert reader.html_text(html) == "Kế hoạch\nSố: 171/KH-PGDĐT"


def test_html_without_article_takes_the_largest_text_block():
    body = ("<div id='wrap'><div class='menu-left'><a href='/1'>Văn bản</a><a href='/2'>Hỏi đáp</a></div>"
            "<div class='box'><a href='/3'>Liên kết</a> <a href='/4'>Sơ đồ</a></div>"
            f"<div class='content'><p>{SENTENCE}</p><p>Nơi nhận: UBND huyện.</p></div></div>")
    assert reader.html_text(page(body)) == SENTENCE + "\nNơi nhận: UBND huyện."


def test_html_in_windows_1258_as_declared(tmp_path):
    html = page(f"<article><p>{SENTENCE}</p></article>", charset="windows-1258")
    path = write(tmp_path, "page.htm", formats.encode_legacy(html, "cp1258"))
    assert read_text(path) == SENTENCE


def test_html_of_a_tcvn3_page_is_converted(tmp_path):
    # Legacy pages said iso-8859-1 and relied on the .VnTime font: the declaration is not believed.
    html = page(f"<article><p style=\"font-family:'.VnTime'\">{SENTENCE}</p></article>", charset="iso-8859-1")
    assert read_text(write(tmp_path, "page.htm", formats.encode_legacy(html, "tcvn3"))) == SENTENCE


# -- DOCX ------------------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.wordprocessingml.document.main+xml"/></Types>')


def run(text: str, font: str | None = None) -> str:
    props = f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>' if font else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str) -> str:
    return f"<w:p>{''.join(runs)}</w:p>"


def docx(body: str, styles: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}>'
                                         f"<w:body>{body}<w:sectPr/></w:body></w:document>")
        if styles:
            zf.writestr("word/styles.xml", f"<w:styles {W}>{styles}</w:styles>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def cell(*paras: str) -> str:
    return f"<w:tc>{''.join(paras)}</w:tc>"


DOCX_BODY = (
    para(run("UBND HUYỆN GIA LỘC")),
    "<w:tbl><w:tr>" + cell(para(run("PHÒNG GIÁO DỤC")), para(run("Số: 171/KH-PGDĐT")))
    + cell(para(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))) + "</w:tr>"
    "<w:tr>" + cell(para(run("a"))) + cell(para(run("b"))) + "</w:tr></w:tbl>",
    para(run("Kế hoạch "), '<w:hyperlink><w:r><w:t>nhiệm vụ</w:t></w:r></w:hyperlink>',
         '<w:del><w:r><w:delText>bỏ đi</w:delText></w:r></w:del>', run(" năm học"),
         "<w:r><w:br/><w:t>2023 - 2024</w:t><w:tab/><w:t>xong</w:t></w:r>"),
)


def test_docx_paragraphs_and_cells_in_document_order(tmp_path):
    path = write(tmp_path, "kh.docx", docx("".join(DOCX_BODY)))
    assert read_text(path) == ("UBND HUYỆN GIA LỘC\n"
                               "PHÒNG GIÁO DỤC Số: 171/KH-PGDĐT | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                               "a | b\n"
                               "Kế hoạch nhiệm vụ năm học\n2023 - 2024\txong")


def test_docx_runs_in_legacy_fonts_are_converted(tmp_path):
    tc = formats.encode_legacy
    body = (para(run(tc("Cộng hòa xã hội", "tcvn3").decode("latin-1"), ".VnTime"), run(" và Unicode"))
            + para(run(tc("Độc lập - tự do", "tcvn3").decode("latin-1"), ".VnTimeH"))
            + para(run(tc("Việt", "vni").decode("latin-1")[:3], "VNI-Times"),
                   run(tc("Việt Nam", "vni").decode("latin-1")[3:], "VNI-Times")))
    assert read_text(write(tmp_path, "cu.docx", docx(body))) == ("Cộng hòa xã hội và Unicode\n"
                                                                "ĐỘC LẬP - TỰ DO\nViệt Nam")


def test_docx_text_boxes_are_read_once_and_unlabelled_legacy_text_is_repaired(tmp_path):
    box = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
           "<mc:Choice><w:drawing><w:txbxContent>" + para(run("Dự thảo")) + "</w:txbxContent></w:drawing>"
           "</mc:Choice><mc:Fallback><w:pict><w:txbxContent>" + para(run("Dự thảo")) + "</w:txbxContent>"
           "</w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    legacy = formats.encode_legacy(SENTENCE, "tcvn3").decode("latin-1")  # no font says so
    body = para(run("Kế hoạch"), box) + para(run(legacy))
    assert read_text(write(tmp_path, "box.docx", docx(body))) == "Kế hoạch\nDự thảo\n" + SENTENCE


def test_docx_legacy_font_from_the_styles(tmp_path):
    styles = ('<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=".VnTime"/></w:rPr></w:rPrDefault>'
              '</w:docDefaults><w:style w:type="paragraph" w:styleId="Heading1"><w:rPr>'
              '<w:rFonts w:ascii=".VnTimeH"/></w:rPr></w:style>')
    heading = '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>' + run("kÕ ho¹ch") + "</w:p>"
    body = heading + para(run(formats.encode_legacy("Phòng Giáo dục", "tcvn3").decode("latin-1")))
    assert read_text(write(tmp_path, "st.docx", docx(body, styles))) == "KẾ HOẠCH\nPhòng Giáo dục"


def test_docx_with_more_entries_than_the_limit_is_refused(tmp_path):
    data = docx(para(run("x")), extra={f"word/media/{i}.xml": b"<a/>" for i in range(60)})
    limits = Limits(max_docx_entries=50)
    refused(write(tmp_path, "many.docx", data), "62 zip entries, over the limit of 50", limits)


def _forge_declared_size(data: bytes, entry: str, size: int) -> bytes:
    # The central directory record of `entry`: uncompressed size at offset 24, name at 46.
    at = data.index(b"PK\x01\x02")
    while data[at + 46:at + 46 + len(entry)] != entry.encode():
        at = data.index(b"PK\x01\x02", at + 4)
    return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]


def test_docx_declaring_a_huge_entry_is_refused_before_inflating(tmp_path, monkeypatch):
    data = _forge_declared_size(docx(para(run("x"))), "word/document.xml", 0xF0000000)
    path = write(tmp_path, "bomb.docx", data)

    def no_inflate(*args, **kwargs):
        raise AssertionError("the reader inflated an entry of a zip bomb")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflate)
    refused(path, "would inflate to 40265")


def test_docx_entries_over_the_uncompressed_limit_are_refused(tmp_path):
    data = docx(para(run("x")), extra={"word/media/big.bin": b" " * 3_000_000})
    limits = Limits(max_docx_uncompressed=1_000_000)
    refused(write(tmp_path, "big.docx", data), "inflate to 3000", limits)


def test_docx_entry_inflating_past_its_declared_size_is_refused(tmp_path):
    data = docx(para(run("Kế hoạch " * 5000)))
    refused(write(tmp_path, "lie.docx", _forge_declared_size(data, "word/document.xml", 100)), "docx")


def test_docx_with_a_dtd_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                                         f"<w:document {W}><w:body/></w:document>")
    refused(write(tmp_path, "dtd.docx", buf.getvalue()), "DTD")


def test_damaged_docx_is_refused(tmp_path):
    data = docx(para(run("x")))
    cut = data.index(b"word/document.xml") + 40  # the deflated document is cut short
    broken = data[:cut] + b"\x00" * 16 + data[cut + 16:]
    refused(write(tmp_path, "broken.docx", broken), "damaged docx")


# -- PDF -------------------------------------------------------------------------------------------


def make_pdf(content: bytes, resources: bytes, *extra: bytes) -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table, written by hand."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Resources %s /Contents 4 0 R >>" % resources,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *extra,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def text_pdf(text: bytes) -> bytes:
    content = b"BT /F1 12 Tf 20 100 Td (" + text + b") Tj ET"
    return make_pdf(content, b"<< /Font << /F1 5 0 R >> >>", HELVETICA)


def test_pdf_text_layer_is_read(tmp_path):
    path = write(tmp_path, "kh.pdf", text_pdf(b"Ke hoach so 171/KH-PGDDT nam hoc 2023 - 2024"))
    assert read_text(path) == "Ke hoach so 171/KH-PGDDT nam hoc 2023 - 2024"


def test_pdf_typed_in_a_tcvn3_font_is_converted(tmp_path):
    # Word exported .VnTime text with the font's Latin-1 codes: the text layer is TCVN3 mojibake.
    legacy = formats.encode_legacy("Cộng hòa xã hội chủ nghĩa Việt Nam", "tcvn3")
    escaped = legacy.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    assert read_text(write(tmp_path, "cu.pdf", text_pdf(escaped))) == "Cộng hòa xã hội chủ nghĩa Việt Nam"


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    image = (b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
    data = make_pdf(b"q 200 0 0 100 20 20 cm /Im1 Do Q", b"<< /XObject << /Im1 5 0 R >> >>", image)
    refused(write(tmp_path, "scan.pdf", data), "PDF has no text layer (scanned image?); run OCR first")


def test_broken_pdf_is_refused(tmp_path):
    refused(write(tmp_path, "broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog"), "PDF cannot be read")


def test_pdf_extraction_is_stopped_at_the_time_limit(tmp_path):
    path = write(tmp_path, "slow.pdf", text_pdf(b"Ke hoach"))
    refused(path, "took longer than 0.001 s", Limits(pdf_timeout_s=0.001))


def test_pdf_text_over_the_character_limit_is_refused(tmp_path):
    path = write(tmp_path, "long.pdf", text_pdf(b"Ke hoach " * 20))
    refused(path, "over the limit of 50 characters", Limits(max_text_chars=50))


# -- properties and doctests --------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_text_or_a_read_error(data):
    try:
        text = text_from_bytes(data, "x.bin")
    except ReadError as e:
        assert str(e).startswith("x.bin: ")
    else:
        assert text == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("module", [reader, formats, pdftext])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0
