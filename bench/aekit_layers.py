"""AEKit's own layers as PyTorch modules, so that a model file or checkpoint that uses them
rebuilds in PyTorch: `print(model)` gives the same text AEKit reads and writes, and
`load_state_dict(strict=True)` takes AEKit's `model.safetensors`.

    import sys; sys.path.insert(0, "bench")
    from aekit_layers import Reparameterize
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 40), Reparameterize(20), ...)
    loss = bce_sum_per_image + model[4].kl     # what AEKit trains and reports
"""
import torch
from torch import nn


class Reparameterize(nn.Module):
    """A VAE's bottleneck: [N, 2d] (the means, then the log-variances) -> [N, d]: a sample
    mu + sigma * eps while training, the mean in evaluation (pytorch/examples' VAE samples in
    evaluation too). `self.kl` is the term it adds to the loss, beta * KL(N(mu, sigma^2) || N(0, I))
    per example, averaged over the batch; AEKit adds it for you, PyTorch code adds it itself."""

    def __init__(self, features, beta=1.0):
        super().__init__()
        self.features, self.beta = features, beta
        self.kl = None

    def forward(self, stats):
        mu, log_var = stats[:, :self.features], stats[:, self.features:]
        self.kl = -0.5 * self.beta * torch.sum(1 + log_var - mu.pow(2) - log_var.exp()) / stats.shape[0]
        if not self.training:
            return mu
        return mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)

    def extra_repr(self):
        return f"features={self.features}, beta={self.beta}"
