"""The Concepts pages' mathematics in NumPy (activations, convolution, kernels, pooling,
losses, optimizers, loss surfaces), each checked against the Keras op it explains."""
