"""reefclr.features.augment: the batched device views, seeded by their generator, and crops of slices."""

import torch

from reefclr.features.augment import (DeviceViews, ImageViews, Part, augment_mel, random_resized_crop,
                                     white_noise_mel_power)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def mel_batch(b: int = 6, n_mels: int = 16, t: int = 40) -> torch.Tensor:
    return torch.rand(b, n_mels, t, generator=generator(99)) + 0.01


def test_no_transform_fires_at_p_zero():
    mel = mel_batch()
    out = augment_mel(mel, torch.ones(16), 0.0, generator(0))
    assert torch.equal(out, mel)


def test_augmentations_are_functions_of_the_generator_and_leave_the_input_alone():
    mel = mel_batch()
    before = mel.clone()
    a = augment_mel(mel, torch.ones(16), 1.0, generator(1))
    b = augment_mel(mel, torch.ones(16), 1.0, generator(1))
    c = augment_mel(mel, torch.ones(16), 1.0, generator(2))
    assert torch.equal(mel, before) and a.shape == mel.shape
    assert torch.equal(a, b) and not torch.equal(a, c) and not torch.equal(a, mel)
    assert (a >= 0).all()  # still power: gains, added noise power, shifts and zeroed bands


def test_a_crop_of_a_slice_is_that_slice_of_the_whole_batch_crop():
    """What a process of a data-parallel run crops is what one process crops of the global batch."""
    x = torch.rand(4, 1, 20, 30, generator=generator(3))
    whole = random_resized_crop(x, 16, 0.6, generator(7))
    part = random_resized_crop(x[2:], 16, 0.6, generator(7), Part(total=4, offset=2))
    assert whole.shape == (4, 1, 16, 16)
    torch.testing.assert_close(part, whole[2:])


def test_device_views_are_three_channel_images():
    mel = mel_batch(3)
    for scale in ("power", "db"):
        for crop in (True, False):
            views = DeviceViews(torch.ones(16), scale, p=0.5, image=ImageViews(24, min_scale=0.6, crop=crop))
            img = views(mel, generator(0))
            assert img.shape == (3, 3, 24, 24) and torch.isfinite(img).all()
            assert torch.equal(img[:, 0], img[:, 2])


def test_white_noise_mel_power_is_the_window_energy_through_the_filterbank():
    basis = torch.rand(8, 33, generator=generator(5))
    window = torch.hann_window(64)
    expected = window.square().sum() * basis.sum(dim=1)
    torch.testing.assert_close(white_noise_mel_power(basis, window), expected)


def test_image_crop_is_bicubic_on_the_resized_image_and_flip_mirrors_time():
    from reefclr.features.spectrogram import to_image

    x = torch.rand(6, 16, 40)
    on_image = ImageViews(24, 0.6, crop=True, crop_on="image")(x, generator(3))
    expected = random_resized_crop(to_image(x, 24)[:, :1], 24, 0.6, generator(3), mode="bicubic")
    assert torch.equal(on_image, expected.expand(-1, 3, -1, -1))
    on_mel = ImageViews(24, 0.6, crop=True, crop_on="mel")(x, generator(3))
    assert on_mel.shape == on_image.shape and not torch.allclose(on_mel, on_image)
    flipped = ImageViews(24, 0.6, crop=False, flip_p=1.0)(x, generator(3))
    assert torch.equal(flipped, to_image(x, 24).flip(-1))
    some = ImageViews(24, 0.6, crop=False, flip_p=0.5)(x, generator(4))
    mirrored = [bool(torch.equal(some[i], flipped[i])) for i in range(6)]
    assert any(mirrored) and not all(mirrored)
    part = ImageViews(24, 0.6, crop=True, crop_on="image", flip_p=0.5)(x[2:], generator(5), total=6, offset=2)
    whole = ImageViews(24, 0.6, crop=True, crop_on="image", flip_p=0.5)(x, generator(5))
    assert torch.allclose(part, whole[2:], atol=1e-6)  # a process's slice is that slice of the whole


def test_mixup_mixes_each_clip_with_another_within_its_share():
    from reefclr.features.augment import mixup

    b = 8
    mel = torch.arange(1, b + 1, dtype=torch.float32).view(b, 1, 1).expand(b, 4, 6).contiguous()
    g = torch.Generator().manual_seed(0)
    out = mixup(mel, 0.4, g)
    assert torch.allclose(out, out[:, :1, :1].expand_as(out))  # a constant clip stays constant
    value = out[:, 0, 0]
    own = torch.arange(1, b + 1, dtype=torch.float32)
    # (1 - l) x + l x' with l in [0, 0.4] and x' another clip in 1..b
    assert ((value >= 0.6 * own + 0.4 * 1 - 1e-5) & (value <= 0.6 * own + 0.4 * b + 1e-5) | (value == own)).all()
    assert not torch.equal(out, mel)


def test_views_without_mixup_draw_exactly_what_they_drew_before():
    from reefclr.features.augment import DeviceViews, ImageViews

    mel = torch.rand(4, 16, 40)
    image = ImageViews(16, 0.6)
    plain, zero = DeviceViews(torch.ones(16), "power", 0.5, image), DeviceViews(torch.ones(16), "power", 0.5, image, 0.0)
    a = plain(mel, torch.Generator().manual_seed(3))
    b = zero(mel, torch.Generator().manual_seed(3))
    assert torch.equal(a, b)
    mixed = DeviceViews(torch.ones(16), "power", 0.5, image, 0.4)(mel, torch.Generator().manual_seed(3))
    assert not torch.equal(a, mixed)
