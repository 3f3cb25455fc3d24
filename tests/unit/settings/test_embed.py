"""reefclr.settings.embed: the embedders, their weights and the acoustic indices."""

from reefclr.settings import AcousticIndices, Embed


def test_embed_params_leave_out_the_batch_size_and_freeze_lists(demo):
    config, s = demo
    assert s.embed.result() == {k: v for k, v in config["embed"].items() if k != "batch_size"}
    assert s.embed.embedders == tuple(config["embed"]["embedders"]) and Embed.runtime_keys() == ["embed.batch_size"]
    indices = s.embed.acoustic_indices
    assert isinstance(indices, AcousticIndices) and isinstance(indices.flim_low, tuple)
    assert s.embed.weights == config["embed"]["weights"]
