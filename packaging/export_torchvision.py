#!/usr/bin/python3
"""Export a torchvision classifier as TorchScript that DGN-AM Studio can open layer by layer.

The file follows the studio's TorchScript contract (docs/torchscript.md): forward(x) gives the
model's output, and layer_outputs(x) returns every node of the model's graph (the module
hierarchy's names: "features.3", "layer2.1.conv1", "fc") as an ordered Dict[str, Tensor], so any
layer can be the objective's layer.

Uses Debian's python3-torch and python3-torchvision; nothing is downloaded. Weights are random
(seeded) unless --state-dict names a file you already have.

  export_torchvision.py alexnet alexnet.pt
  export_torchvision.py resnet18 resnet18.pt --state-dict resnet18-f37072fd.pth
"""
import argparse
import json
import sys
from typing import Dict

import torch
import torchvision
from torchvision.models.feature_extraction import create_feature_extractor, get_graph_node_names


class LayeredModel(torch.nn.Module):
    """forward: the output; layer_outputs: every graph node's output, in forward order."""

    def __init__(self, extractor: torch.nn.Module, last: str):
        super().__init__()
        self.extractor = extractor
        self.last = last

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.extractor(x)[self.last]

    @torch.jit.export
    def layer_outputs(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return self.extractor(x)


def probe_input(shape):
    """The fixed input the reference values use; the C++ test builds the same one."""
    count = 1
    for d in shape:
        count *= d
    return ((torch.arange(count) % 251).float() / 251.0 - 0.5).reshape(1, *shape)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a torchvision.models constructor, e.g. alexnet, resnet18, vgg16")
    parser.add_argument("out", help="the TorchScript file to write")
    parser.add_argument("--state-dict", help="weights file (torch.save of the model's state dict)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    parser.add_argument("--input", default="3,224,224", help="input shape C,H,W (default 3,224,224)")
    parser.add_argument("--reference", help="also write each layer's sum on a fixed input as JSON")
    args = parser.parse_args()

    constructor = getattr(torchvision.models, args.model, None)
    if constructor is None or not callable(constructor):
        sys.exit(f"export_torchvision: torchvision has no model {args.model!r}")
    torch.manual_seed(args.seed)
    model = constructor(weights=None)
    if args.state_dict:
        model.load_state_dict(torch.load(args.state_dict, map_location="cpu"))
    model.eval()
    # In-place activations would overwrite the layer before them in the returned dictionary.
    for module in model.modules():
        if hasattr(module, "inplace"):
            module.inplace = False

    _, nodes = get_graph_node_names(model)
    nodes = [n for n in nodes if n != "x"]
    extractor = create_feature_extractor(model, return_nodes={n: n for n in nodes})
    shape = [int(v) for v in args.input.split(",")]
    with torch.no_grad():
        outputs = extractor(torch.zeros(1, *shape))
    # Keep tensor-valued nodes only (sizes and other Python values are not layers).
    nodes = [n for n in nodes if isinstance(outputs.get(n), torch.Tensor)]
    extractor = create_feature_extractor(model, return_nodes={n: n for n in nodes})
    scripted = torch.jit.script(LayeredModel(extractor, nodes[-1]))
    scripted.save(args.out)
    print(f"{args.out}: {args.model}, {len(nodes)} layers, output {nodes[-1]}")

    if args.reference:
        with torch.no_grad():
            values = scripted.layer_outputs(probe_input(shape))
        reference = {name: {"shape": list(v.shape[1:]), "sum": float(v.double().sum())}
                     for name, v in values.items()}
        with open(args.reference, "w") as f:
            json.dump(reference, f)


if __name__ == "__main__":
    main()
