"""Tests for dlcore.media.images: samples, decoding uploads, crops and conversions."""

import contextlib
import io
import re

import numpy as np
import pytest
from helpers import png_header, run_python
from PIL import Image

from dlcore.data import sample_images
from dlcore.media import images

# name -> (height, width, greyscale at the source)
SAMPLE_SHAPES = {
    "camera": (512, 512, True),
    "astronaut": (512, 512, False),
    "coffee": (400, 600, False),
    "chelsea": (300, 451, False),
    "coins": (303, 384, True),
    "rocket": (427, 640, False),
    "horse": (328, 400, True),
    "china": (427, 640, False),
    "flower": (427, 640, False),
}


def encode(image, image_format, **options):
    """The bytes of `image` (a PIL image) saved in `image_format`."""
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo():
    """A real colour photo, small: 48 x 64 pixels of the astronaut, (48, 64, 3)."""
    return sample_images.load_sample("astronaut")[100:148, 150:214]


@pytest.fixture(scope="module")
def grey_photo():
    """A real greyscale photo, small: 48 x 64 pixels of the camera man, (48, 64)."""
    return sample_images.load_sample("camera", color=False)[100:148, 200:264]


def test_sample_images_offer_the_promised_samples():
    assert list(sample_images.SAMPLE_IMAGES) == list(SAMPLE_SHAPES)
    for name, description in sample_images.SAMPLE_IMAGES.items():
        assert description.endswith("."), name
    with pytest.raises(TypeError):
        sample_images.SAMPLE_IMAGES["mine"] = "changed"


@pytest.mark.parametrize("name", list(SAMPLE_SHAPES))
def test_load_sample_gives_uint8_colour_and_grey(name):
    height, width, greyscale = SAMPLE_SHAPES[name]

    colour = sample_images.load_sample(name)
    grey = sample_images.load_sample(name, color=False)

    assert colour.shape == (height, width, 3)
    assert grey.shape == (height, width)
    assert colour.dtype == grey.dtype == np.uint8
    assert colour.max() > colour.min(), "a sample should not be blank"
    if greyscale:
        np.testing.assert_array_equal(colour, np.repeat(grey[:, :, np.newaxis], 3, axis=2))
    else:
        assert np.any(colour[:, :, 0] != colour[:, :, 1]), "a colour sample should have colour"
        np.testing.assert_array_equal(grey, images.to_grayscale(colour))


def test_load_sample_grey_uses_bt601_luma():
    colour = sample_images.load_sample("coffee").astype(np.float64)

    grey = sample_images.load_sample("coffee", color=False)

    luma = 0.299 * colour[:, :, 0] + 0.587 * colour[:, :, 1] + 0.114 * colour[:, :, 2]
    assert np.abs(grey - luma).max() <= 1.0


def test_load_sample_horse_is_black_on_white():
    horse = sample_images.load_sample("horse", color=False)

    assert set(np.unique(horse)) == {0, 255}
    assert horse[0, 0] == 255, "the background is white"


@pytest.mark.parametrize(
    ("name", "color"),
    [("astronaut", True), ("astronaut", False), ("coins", True), ("coins", False)],
)
def test_load_sample_cache_cannot_be_corrupted_by_a_caller(name, color):
    first = sample_images.load_sample(name, color=color)
    expected = first.copy()

    first[...] = 0
    again = sample_images.load_sample(name, color=color)

    np.testing.assert_array_equal(again, expected)
    assert again is not first


def test_load_sample_unknown_name_lists_the_samples():
    with pytest.raises(ValueError, match=r"one of the sample images camera, .*name='cameraman'"):
        sample_images.load_sample("cameraman")


def test_importing_images_does_not_import_tensorflow():
    imported = run_python(
        """
        import json, sys
        import dlcore.media.images
        heavy = ("tensorflow", "keras", "sklearn", "skimage")
        print(json.dumps(sorted(name for name in heavy if name in sys.modules)))
        """
    )

    assert imported == [], "the Convolution page would wait for these imports"


def test_every_sample_loads_with_no_network():
    result = run_python(
        """
        import json, socket, sys

        def refuse(*args, **kwargs):
            raise OSError("no network in this test")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from dlcore.data import sample_images
        names = sample_images.SAMPLE_IMAGES
        shapes = {name: sample_images.load_sample(name).shape for name in names}
        print(json.dumps({"shapes": shapes, "tensorflow": "tensorflow" in sys.modules}))
        """
    )

    expected = {name: [height, width, 3] for name, (height, width, _) in SAMPLE_SHAPES.items()}
    assert result == {"shapes": expected, "tensorflow": False}


@pytest.mark.parametrize(
    ("image_format", "options", "tolerance"),
    [
        ("PNG", {}, 0),
        ("BMP", {}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("TIFF", {}, 0),
        # Mean absolute error of a quality-95 JPEG of a real photo.
        ("JPEG", {"quality": 95}, 3.0),
    ],
)
def test_decode_image_round_trips_colour(photo, image_format, options, tolerance):
    data = encode(Image.fromarray(photo), image_format, **options)

    decoded = images.decode_image(data)

    assert decoded.format == image_format
    assert decoded.original_size == (64, 48)
    assert decoded.frames == 1
    assert decoded.notes == ()
    assert decoded.pixels.shape == (48, 64, 3)
    assert decoded.pixels.dtype == np.uint8
    error = np.abs(decoded.pixels.astype(np.int16) - photo).mean()
    assert error <= tolerance


def test_decode_image_round_trips_greyscale_gif(grey_photo):
    data = encode(Image.fromarray(grey_photo), "GIF")

    grey = images.decode_image(data, color=False)
    colour = images.decode_image(data)

    assert grey.format == "GIF"
    np.testing.assert_array_equal(grey.pixels, grey_photo)
    np.testing.assert_array_equal(colour.pixels, np.stack([grey_photo] * 3, axis=-1))


def test_decode_image_greyscale_png_with_color_gives_three_equal_channels(grey_photo):
    decoded = images.decode_image(encode(Image.fromarray(grey_photo), "PNG"))

    assert decoded.pixels.shape == (48, 64, 3)
    for channel in range(3):
        np.testing.assert_array_equal(decoded.pixels[:, :, channel], grey_photo)


def test_decode_image_colour_to_grey_matches_pillow(photo):
    decoded = images.decode_image(encode(Image.fromarray(photo), "PNG"), color=False)

    assert decoded.pixels.shape == (48, 64)
    np.testing.assert_array_equal(decoded.pixels, Image.fromarray(photo).convert("L"))


@pytest.mark.parametrize(
    ("image_format", "options", "note"),
    [
        ("GIF", {}, "Animated GIF: showing the first of 3 frames"),
        ("WEBP", {"lossless": True}, "Animated WebP: showing the first of 3 frames"),
        ("PNG", {}, r"Animated PNG \(APNG\): showing the first of 3 frames"),
    ],
)
def test_decode_image_animation_gives_the_first_frame(grey_photo, image_format, options, note):
    frames = [Image.fromarray(grey_photo // divisor).convert("RGB") for divisor in (1, 2, 4)]
    data = encode(frames[0], image_format, save_all=True, append_images=frames[1:], **options)

    decoded = images.decode_image(data, color=False)

    assert decoded.frames == 3
    assert len(decoded.notes) == 1
    assert re.fullmatch(note, decoded.notes[0])
    # GIF keeps at most 256 colours; these frames are grey, so every frame is exact.
    np.testing.assert_array_equal(decoded.pixels, grey_photo)


def test_decode_image_applies_exif_orientation():
    # Stored 40 wide and 30 high, blue with a red top-left corner. Orientation 6 says:
    # turn 90 degrees clockwise to view, so the red corner ends up top right.
    stored = np.zeros((30, 40, 3), np.uint8)
    stored[:, :, 2] = 255
    stored[:10, :10] = (255, 0, 0)
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif)

    decoded = images.decode_image(data)

    assert decoded.original_size == (40, 30)
    assert decoded.pixels.shape == (40, 30, 3)
    assert decoded.notes == ("Rotated upright from its EXIF orientation",)
    as_stored = np.array(Image.open(io.BytesIO(data)).convert("RGB"))
    np.testing.assert_array_equal(decoded.pixels, np.rot90(as_stored, k=-1))
    np.testing.assert_allclose(decoded.pixels[2, 27], (255, 0, 0), atol=40)
    np.testing.assert_allclose(decoded.pixels[2, 2], (0, 0, 255), atol=40)


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_decode_image_lays_transparency_on_white(mode):
    # One row: transparent, half transparent, opaque; the colour is (200, 100, 0).
    alpha = np.array([[0, 128, 255]], np.uint8)
    rgba = np.concatenate([np.full((1, 3, 3), (200, 100, 0), np.uint8), alpha[..., None]], -1)
    image = Image.fromarray(rgba).convert(mode)
    colour = np.array(image.convert("RGBA"))[..., :3].astype(np.float64)
    weight = alpha[..., None] / 255.0
    expected = colour * weight + 255.0 * (1.0 - weight)

    decoded = images.decode_image(encode(image, "PNG"))

    assert decoded.notes == ("Transparent areas shown on white",)
    np.testing.assert_allclose(decoded.pixels, expected, atol=1.0)
    np.testing.assert_array_equal(decoded.pixels[0, 0], (255, 255, 255))


def test_decode_image_opaque_rgba_has_no_note(photo):
    rgba = Image.fromarray(photo).convert("RGBA")

    decoded = images.decode_image(encode(rgba, "PNG"))

    assert decoded.notes == ()
    np.testing.assert_array_equal(decoded.pixels, photo)


def test_decode_image_palette_with_transparency():
    image = Image.fromarray(np.array([[0, 1], [2, 0]], np.uint8), mode="P")
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255])

    decoded = images.decode_image(encode(image, "PNG", transparency=0))
    grey = images.decode_image(encode(image, "PNG", transparency=0), color=False)

    white, green, blue = (255, 255, 255), (0, 255, 0), (0, 0, 255)
    np.testing.assert_array_equal(decoded.pixels, [[white, green], [blue, white]])
    assert decoded.notes == ("Transparent areas shown on white",)
    # BT.601 luma: green 0.587 * 255 = 149.7, blue 0.114 * 255 = 29.1.
    np.testing.assert_array_equal(grey.pixels, [[255, 150], [29, 255]])


def test_decode_image_cmyk_jpeg(photo):
    cmyk = Image.fromarray(photo).convert("CMYK")

    decoded = images.decode_image(encode(cmyk, "JPEG", quality=95))

    assert decoded.format == "JPEG"
    assert decoded.notes == ("CMYK converted to RGB",)
    assert decoded.pixels.shape == (48, 64, 3)
    assert np.abs(decoded.pixels.astype(np.int16) - photo).mean() <= 4.0


def test_decode_image_16_bit_png_is_scaled_to_8_bits(grey_photo):
    # 257 * v spreads 0..255 over the whole 16-bit range 0..65535.
    image = Image.fromarray(grey_photo.astype(np.uint16) * 257)
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"

    grey = images.decode_image(data, color=False)
    colour = images.decode_image(data)

    assert grey.notes == ("16-bit image scaled to 8 bits",)
    np.testing.assert_array_equal(grey.pixels, grey_photo)
    np.testing.assert_array_equal(colour.pixels, np.stack([grey_photo] * 3, axis=-1))


def test_decode_image_floating_point_tiff(grey_photo):
    image = Image.fromarray(grey_photo.astype(np.float32) / 255.0)
    assert image.mode == "F"

    decoded = images.decode_image(encode(image, "TIFF"), color=False)

    assert decoded.notes == ("Floating-point image scaled to 8 bits",)
    np.testing.assert_array_equal(decoded.pixels, grey_photo)


def test_decode_image_32_bit_tiff_is_stretched():
    values = np.array([[-1000, 0], [500, 1000]], np.int32)

    decoded = images.decode_image(encode(Image.fromarray(values), "TIFF"), color=False)

    assert "stretched to 8 bits" in decoded.notes[0]
    np.testing.assert_array_equal(decoded.pixels, [[0, 128], [191, 255]])


def test_decode_image_accepts_bytearray_and_memoryview(photo):
    data = encode(Image.fromarray(photo), "PNG")

    for buffer in (bytearray(data), memoryview(data)):
        np.testing.assert_array_equal(images.decode_image(buffer).pixels, photo)


def test_decode_image_one_pixel():
    decoded = images.decode_image(encode(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG"))

    assert decoded.original_size == (1, 1)
    np.testing.assert_array_equal(decoded.pixels, [[[10, 20, 30]]])


def test_decode_image_long_thin_image_fits_and_scales_down():
    stripe = np.tile(np.arange(20000, dtype=np.uint32) % 256, (4, 1)).astype(np.uint8)
    data = encode(Image.fromarray(stripe), "PNG")

    decoded = images.decode_image(data)
    small, note = images.fit_within(decoded.pixels, max_side=512)

    assert decoded.pixels.shape == (4, 20000, 3)
    assert small.shape == (1, 512, 3)
    times = "\N{MULTIPLICATION SIGN}"
    assert note == f"Scaled down from 20000{times}4 to 512{times}1 to keep the page fast"


def _half(data):
    return data[: len(data) // 2]


def _photo_bytes(image_format):
    photo = sample_images.load_sample("astronaut")[100:148, 150:214]
    return encode(Image.fromarray(photo), image_format)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^The file is empty.*Received: 0 bytes\.$"),
        (
            np.random.default_rng(0).bytes(1000),
            r"^This file is not an image Pillow can read \(PNG, JPEG, WebP, BMP, GIF\)\..*"
            r"Received: 1,000 bytes",
        ),
        (
            b"Shopping list:\n- flour\n- eggs\n",
            r"^This file is not an image Pillow can read.*starting with b'Shopping lis'",
        ),
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><circle cx="5" cy="5" r="4"/></svg>\n',
            r"^SVG drawings are vector graphics; export a PNG",
        ),
        (b"\x00\x00\x00\x18ftypheic" + bytes(100), r"^This is a HEIC/HEIF photo"),
        (
            png_header(30000, 30000),
            "^The image is 30000\N{MULTIPLICATION SIGN}30000 pixels"
            r" \(900 megapixels\); the limit is 40 megapixels.*Scale it down",
        ),
        (
            png_header(8000, 6000),
            "^The image is 8000\N{MULTIPLICATION SIGN}6000 pixels"
            r" \(48 megapixels\); the limit is 40 megapixels",
        ),
        (_half(_photo_bytes("PNG")), r"^The image file is damaged or incomplete.*of PNG"),
        (_half(_photo_bytes("JPEG")), r"^The image file is damaged or incomplete.*of JPEG"),
        (_photo_bytes("PNG")[:20], r"^The image file is damaged or incomplete.*of PNG"),
    ],
    ids=[
        "empty",
        "random-bytes",
        "text",
        "svg",
        "heic",
        "30000x30000-header",
        "48-megapixel-header",
        "truncated-png",
        "truncated-jpeg",
        "png-signature-only",
    ],
)
def test_decode_image_bad_input_raises_clear_errors(data, message):
    with pytest.raises(images.ImageDecodeError, match=message):
        images.decode_image(data)


def test_decode_image_pillow_limit_applies_above_max_pixels():
    # 100 megapixels is over Pillow's own limit of 89.5, where it warns of a bomb.
    with pytest.raises(images.ImageDecodeError, match=r"the limit is 89.5 megapixels"):
        images.decode_image(png_header(10000, 10000), max_pixels=200_000_000)


def test_decode_image_error_is_a_value_error():
    assert issubclass(images.ImageDecodeError, ValueError)


def test_decode_image_respects_max_pixels(photo):
    data = encode(Image.fromarray(photo), "PNG")

    with pytest.raises(images.ImageDecodeError, match="The image is 64\N{MULTIPLICATION SIGN}48"):
        images.decode_image(data, max_pixels=3000)
    assert images.decode_image(data, max_pixels=64 * 48).pixels.shape == (48, 64, 3)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_decode_image_never_lets_a_pillow_error_escape(image_format):
    data = _photo_bytes(image_format)
    damaged = [data[:cut] for cut in (1, 8, 16, 40, len(data) // 3, len(data) - 1)]
    # Flip bytes in the middle, where the compressed pixels are.
    flipped = bytearray(data)
    for index in range(len(data) // 2, len(data) // 2 + 64):
        flipped[index] ^= 0xFF
    damaged.append(bytes(flipped))

    for sample in damaged:
        # Decoding may succeed (a cut in trailing metadata); any failure must be ours.
        with contextlib.suppress(images.ImageDecodeError):
            images.decode_image(sample)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: images.decode_image("photo.png"), TypeError, r"uploaded_file.getvalue\(\).*str"),
        (lambda: images.decode_image(b"x", max_pixels=0), ValueError, r"max_pixels=0"),
    ],
)
def test_decode_image_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("shape", "max_side", "expected_shape"),
    [
        ((1536, 2048, 3), 512, (384, 512, 3)),
        ((2048, 1536, 3), 512, (512, 384, 3)),
        ((1000, 1000), 300, (300, 300)),
        ((600, 200, 4), 512, (512, 171, 4)),
        ((3, 5000, 3), 100, (1, 100, 3)),
    ],
)
def test_fit_within_scales_down_keeping_aspect(shape, max_side, expected_shape):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)

    scaled, note = images.fit_within(image, max_side=max_side)

    assert scaled.shape == expected_shape
    assert scaled.dtype == np.uint8
    height, width = shape[:2]
    assert note == (
        f"Scaled down from {width}\N{MULTIPLICATION SIGN}{height} to "
        f"{expected_shape[1]}\N{MULTIPLICATION SIGN}{expected_shape[0]} to keep the page fast"
    )
    if min(expected_shape[:2]) > 1:
        assert expected_shape[1] / expected_shape[0] == pytest.approx(width / height, rel=0.01)


def test_fit_within_keeps_the_picture():
    photo = sample_images.load_sample("astronaut")

    scaled, _ = images.fit_within(photo, max_side=128)

    # Lanczos averages; the scaled image is the photo seen from further away.
    block_means = photo.reshape(128, 4, 128, 4, 3).mean(axis=(1, 3))
    assert np.abs(scaled - block_means).mean() < 6.0


@pytest.mark.parametrize("shape", [(100, 200, 3), (512, 512), (1, 1, 3)])
def test_fit_within_never_scales_up(shape):
    image = np.zeros(shape, np.uint8)

    scaled, note = images.fit_within(image, max_side=512)

    assert scaled is image
    assert note is None


@pytest.mark.parametrize(
    ("image", "options", "message"),
    [
        (np.zeros((4, 4, 3), np.float32), {}, r"uint8 pixels.*Received: dtype=float32"),
        (np.zeros((4, 4, 2), np.uint8), {}, r"shape \(height, width\).*\(4, 4, 2\)"),
        (np.zeros((0, 4, 3), np.uint8), {}, r"no pixels"),
        (np.zeros((4, 4, 3), np.uint8), {"max_side": 0}, r"max_side=0"),
    ],
)
def test_fit_within_bad_arguments(image, options, message):
    with pytest.raises(ValueError, match=message):
        images.fit_within(image, **options)


def test_to_float_scales_uint8_to_unit_range():
    values = images.to_float(np.array([[0, 51, 255]], np.uint8))

    assert values.dtype == np.float32
    np.testing.assert_allclose(values, [[0.0, 0.2, 1.0]], rtol=1e-6)


def test_to_float_keeps_unit_floats_and_bools():
    floats = np.array([0.0, 0.5, 1.0])

    np.testing.assert_array_equal(images.to_float(floats), floats.astype(np.float32))
    np.testing.assert_array_equal(images.to_float(np.array([True, False])), [1.0, 0.0])


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.array([0.0, 2.0]), r"values in \[0, 1\].*from 0.0 to 2.0"),
        (np.array([0.0, np.nan]), r"finite values in \[0, 1\].*NaN or infinite"),
        (np.array([0, 300], np.int64), r"Received: dtype=int64"),
    ],
)
def test_to_float_bad_input(image, message):
    with pytest.raises(ValueError, match=message):
        images.to_float(image)


def test_to_grayscale_matches_pillow_luma(photo):
    grey = images.to_grayscale(photo)

    assert grey.shape == (48, 64)
    assert grey.dtype == np.uint8
    np.testing.assert_array_equal(grey, Image.fromarray(photo).convert("L"))
    np.testing.assert_array_equal(
        images.to_grayscale(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)),
        [[76, 150, 29]],
    )


def test_to_grayscale_of_grey_is_a_copy(grey_photo):
    grey = images.to_grayscale(grey_photo)

    np.testing.assert_array_equal(grey, grey_photo)
    assert not np.shares_memory(grey, grey_photo)


def test_to_grayscale_bad_input():
    with pytest.raises(ValueError, match=r"\(height, width, 3\).*\(4, 4, 4\)"):
        images.to_grayscale(np.zeros((4, 4, 4), np.uint8))


def test_center_crop_takes_the_middle():
    image = np.arange(9 * 10 * 3).reshape(9, 10, 3)

    square = images.center_crop(image, size=7)

    # Margins 2 rows and 3 columns: top = 1, left = 1 (the extra pixel goes bottom right).
    np.testing.assert_array_equal(square, image[1:8, 1:8])
    assert not np.shares_memory(square, image)
    assert images.center_crop(image[:, :, 0], size=9).shape == (9, 9)


def test_crop_takes_the_square_at_top_left():
    image = np.arange(100).reshape(10, 10)

    square = images.crop(image, top=3, left=2, size=7)

    np.testing.assert_array_equal(square, image[3:10, 2:9])
    square[0, 0] = -1
    assert image[3, 2] == 32, "the crop must be a copy"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda image: images.crop(image, top=4, left=0, size=7),
            r"`top` must be between 0 and 3 and `left` between 0 and 5.*"
            r"Received: top=4, left=0, size=7\.",
        ),
        (lambda image: images.crop(image, top=0, left=-1, size=7), r"left=-1"),
        (lambda image: images.crop(image, top=0, left=0, size=0), r"`size` must be between 1"),
        (lambda image: images.crop(image, top=0.5, left=0, size=3), r"`top` must be an integer"),
        (
            lambda image: images.center_crop(image, size=11),
            "between 1 and 10, the shorter side of the 12\N{MULTIPLICATION SIGN}10 image.*size=11",
        ),
        (lambda image: images.center_crop(image[0, 0], size=1), r"shape \(height, width\)"),
    ],
)
def test_crops_out_of_range_raise_clear_errors(call, message):
    image = np.zeros((10, 12, 3), np.uint8)

    with pytest.raises(ValueError, match=message):
        call(image)


def test_detailed_crop_finds_the_square_with_the_most_contrast():
    image = np.full((21, 21), 100, dtype=np.uint8)
    image[14:21, 7:14] = np.arange(49, dtype=np.uint8).reshape(7, 7) * 3
    crop = images.detailed_crop(image, size=7)
    np.testing.assert_array_equal(crop, image[14:21, 7:14])
    real = images.detailed_crop(images.to_grayscale(sample_images.load_sample("astronaut")), size=7)
    assert real.shape == (7, 7)
    assert real.std() > 10


def test_detailed_crop_needs_a_greyscale_image_big_enough():
    with pytest.raises(ValueError, match="must be 2-D"):
        images.detailed_crop(np.zeros((8, 8, 3), dtype=np.uint8), size=2)
    with pytest.raises(ValueError, match="between 1 and 8"):
        images.detailed_crop(np.zeros((8, 8), dtype=np.uint8), size=9)


def _paper_with_a_bar(*, light: bool, shadow: float) -> np.ndarray:
    """A 120x128 page with a vertical bar of ink, lit from the left by `shadow`."""
    page = np.full((120, 128), 210.0 if light else 40.0)
    page[30:90, 70:80] = 30.0 if light else 220.0
    page *= np.linspace(1.0 - shadow, 1.0, 128)[np.newaxis, :]
    return np.round(page).astype(np.uint8)


@pytest.mark.parametrize("light", [True, False])
@pytest.mark.parametrize("shadow", [0.0, 0.5])
def test_ink_map_finds_the_ink_in_either_polarity_and_under_uneven_light(light, shadow):
    ink = images.ink_map(_paper_with_a_bar(light=light, shadow=shadow))
    assert ink.dtype == np.uint8 and ink.shape == (120, 128)
    assert ink[30:90, 70:80].min() >= 200
    # The shadowed half of the page is paper, not ink.
    outside = np.ones(ink.shape, bool)
    outside[28:92, 68:82] = False
    assert ink[outside].max() <= 30


def test_ink_map_of_a_blank_page_is_black_and_large_images_are_scaled_down():
    assert not images.ink_map(np.full((50, 50, 3), 180, np.uint8)).any()
    assert images.ink_map(np.zeros((600, 300), np.uint8), max_side=128).shape == (128, 64)


def test_max_filter_takes_the_maximum_of_each_window():
    values = np.zeros((5, 5))
    values[2, 2] = 1.0
    np.testing.assert_array_equal(images.max_filter(values, 3), np.pad(np.ones((3, 3)), 1))
    np.testing.assert_array_equal(images.max_filter(values, 1), values)
