"""Networks: the encoders (their registry of architectures, the ImageNet ResNet50 from its
weights file) and the SimCLR model with its loss.

May import: core and the spine. torch and torchvision only.
"""
