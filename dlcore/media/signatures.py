"""What kind of file a person gave, from its first bytes: an image format, a video
container, text or an SVG drawing.

The image and video decoders ask it when they cannot read a file, to tell the person what
the file is ("a still image, not a video") rather than only that it failed.
"""

from __future__ import annotations

# The first bytes of each format `decode_image` reads: a file that starts like one of
# them but that Pillow cannot open is a damaged image, not some other kind of file.
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
}

# ISO base media "ftyp" brands of HEIC/HEIF (and AVIF) photos, which phones write.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}


def looks_like_svg(data: bytes) -> bool:
    """Whether the file is an SVG drawing (XML text), which has no pixels to decode."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg", b"<!--")) and b"<svg" in head


def image_format(data: bytes) -> str | None:
    """The image format whose first bytes `data` starts with (PNG, JPEG, GIF, BMP, TIFF,
    WEBP), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next(
        (name for signature, name in IMAGE_SIGNATURES.items() if data.startswith(signature)), None
    )


def video_container(head: bytes) -> str | None:
    """The video container that a file's first bytes announce, or None."""
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "MP4/MOV"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "WebM/MKV"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "AVI"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    return None


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes are printable UTF-8 text: a note, a CSV, not a picture."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The 64 bytes may end inside a multi-byte character.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(character.isprintable() or character in "\r\n\t" for character in text)
