"""Stand-in pretrained weights the tests build where the real ones would be (nothing can be
downloaded here): a random-init ResNet50 state dict where torchvision caches IMAGENET1K_V1,
and tiny TF SavedModels with VGGish's and YAMNet's call signatures."""

from __future__ import annotations

from pathlib import Path

VGGISH_FRAME, YAMNET_FRAME, HOP = 15600, 15360, 15360  # samples at 16 kHz


def imagenet_checkpoint(torch_home: Path) -> Path:
    """torchvision's resnet50, random init, saved as $TORCH_HOME/hub/checkpoints/resnet50-0676ba61.pth."""
    import torch
    import torchvision

    path = torch_home / "hub" / "checkpoints" / "resnet50-0676ba61.pth"
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.save(torchvision.models.resnet50(weights=None).state_dict(), path)
    return path


def hub_savedmodel(path: Path, kind: str) -> Path:
    """A SavedModel whose __call__ takes a mono 16 kHz float32 waveform like VGGish (-> (frames, 128))
    or YAMNet (-> scores (frames, 521), embeddings (frames, 1024), log-mel (n, 64)). Frame k's
    vector is the mean of frame k's samples in every entry, so averaging can be checked."""
    import tensorflow as tf

    frame, dim = (VGGISH_FRAME, 128) if kind == "vggish" else (YAMNET_FRAME, 1024)

    class StandIn(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, wave):
            frames = tf.signal.frame(wave, frame, HOP)  # full frames only, like VGGish
            means = tf.reduce_mean(frames, axis=1, keepdims=True)
            emb = tf.tile(means, [1, dim])
            if kind == "vggish":
                return emb
            return tf.tile(means, [1, 521]), emb, tf.zeros([tf.shape(wave)[0] // 160, 64])

    tf.saved_model.save(StandIn(), str(path))
    return path


def perch_savedmodel(path: Path, kind: str) -> Path:
    """A SavedModel with SurfPerch's ``infer_tf`` (-> (logits, embedding (B, 1280))) or Perch
    2.0's ``serving_default`` signature (inputs -> {"embedding": (B, 1536), "label": ...}), on
    5 s of 32 kHz audio. Entry j of a window's vector is the window's mean times (j + 1), so
    the zero padding and the averaging over windows can be checked."""
    import tensorflow as tf

    dim = 1280 if kind == "surfperch" else 1536
    scale = tf.range(1, dim + 1, dtype=tf.float32)[None, :]
    spec = tf.TensorSpec([None, 160000], tf.float32, name="inputs")

    def embedding(audio):
        return tf.reduce_mean(audio, axis=1, keepdims=True) * scale

    class SurfPerch(tf.Module):
        @tf.function(input_signature=[spec])
        def infer_tf(self, audio):
            return tf.zeros([tf.shape(audio)[0], 10]), embedding(audio)

    class Perch2(tf.Module):
        @tf.function(input_signature=[spec])
        def serve(self, inputs):
            return {"embedding": embedding(inputs), "label": tf.zeros([tf.shape(inputs)[0], 10])}

    if kind == "surfperch":
        tf.saved_model.save(SurfPerch(), str(path))
    else:
        module = Perch2()
        tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    return path
