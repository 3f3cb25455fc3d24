"""reefclr.settings.trace: a Snakemake job asked to trace writes the dotted keys of the settings
it read; records know their paths; lookups by key are not reads."""

import json
import subprocess
import sys
import textwrap

from helpers import REPO


def test_a_job_writes_the_settings_it_read(tmp_path):
    script = textwrap.dedent(f"""
        import sys, types
        sys.path.insert(0, {str(REPO / "workflow_scripts")!r})
        sys.path.insert(0, {str(REPO / "tests")!r})
        from helpers import defaults
        from reefclr import settings
        config = defaults(deploy={{"classifiers": {{"fish": {{"dataset": "t", "positive": ["fish"]}}}}}}).to_dict()
        snakemake = types.SimpleNamespace(rule="some_rule", wildcards={{"sound": "fish"}})  # now inside a job
        s = settings.load(config)
        s.deploy.detect.threshold, s.deploy.classifiers["fish"].positive, s.seed
        """)
    (tmp_path / "job.py").write_text(script)
    env = {"REEFCLR_TRACE_SETTINGS": str(tmp_path / "traces"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, str(tmp_path / "job.py")], check=True, env=env)
    (trace,) = (tmp_path / "traces").glob("some_rule-*.json")
    found = json.loads(trace.read_text())
    assert found["rule"] == "some_rule" and found["wildcards"] == {"sound": "fish"}
    assert {"deploy.detect.threshold", "deploy.classifiers.fish.positive", "seed"} <= set(found["reads"])
    assert "deploy.top_k" not in found["reads"]


def test_no_trace_without_the_variable_or_outside_a_job(tmp_path, monkeypatch):
    from helpers import defaults
    from reefclr.settings import base

    monkeypatch.delenv("REEFCLR_TRACE_SETTINGS", raising=False)
    defaults().deploy.detect.threshold
    assert base._READS is None


def test_records_know_their_dotted_path_and_lookups_are_not_reads(monkeypatch):
    from helpers import defaults
    from reefclr.settings import base

    s = defaults(data={"datasets": [{"id": "a", "role": "test", "format": "folders", "path": "a"},
                                    {"id": "b", "role": "test", "format": "folders", "path": "b"}]})
    monkeypatch.setattr(base, "_READS", set())
    s.data.dataset("b").path
    assert base._READS == {"data", "data.datasets", "data.datasets[1].path"}
