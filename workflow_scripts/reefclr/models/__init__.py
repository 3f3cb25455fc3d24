"""Networks: encoders and the SimCLR model."""
