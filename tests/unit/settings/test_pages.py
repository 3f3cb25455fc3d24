"""reefclr.settings.pages: the figures and the explorer."""

from reefclr.settings import Explorer, Figures


def test_figures_and_explorer_are_their_config_sections(demo):
    config, s = demo
    assert s.figures == Figures.from_config(config["figures"]) and s.figures.result() == config["figures"]
    assert s.explorer.result() == config["explorer"]
    assert s.value("explorer.max_media") == config["explorer"]["max_media"]
    assert Figures.runtime_keys() == Explorer.runtime_keys() == []
