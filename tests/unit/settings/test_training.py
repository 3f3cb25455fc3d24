"""reefclr.settings.training: pretraining (with its k-NN check) and the supervised ceiling."""

from reefclr.settings import Pretrain, Supervised


def test_pretrain_params_keep_hardware_and_leave_out_runtime(demo):
    config, s = demo
    pretrain = s.pretrain.result()
    assert not {"checkpoint_every", "log_every", "workers", "compile"} & set(pretrain)
    assert "every" not in pretrain["knn"] and pretrain["knn"]["k"] == config["pretrain"]["knn"]["k"]
    assert {"device", "gpus", "sync_batchnorm"} <= set(pretrain)  # hardware: in params
    assert Pretrain.runtime_keys() == ["pretrain.knn.every", "pretrain.checkpoint_every", "pretrain.log_every",
                                       "pretrain.workers", "pretrain.compile", "pretrain.min_rank", "pretrain.max_hours"]


def test_the_supervised_ceiling_has_no_runtime_fields_and_its_device_in_params(demo):
    config, s = demo
    assert s.supervised.result() == config["supervised"] and Supervised.runtime_keys() == []
