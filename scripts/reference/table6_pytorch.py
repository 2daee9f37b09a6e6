"""The Table 6 CNN in PyTorch, set up as Keras sets it up, as an independent check of
`bsfnet attention mnist` (not part of the package or its tests; needs Python 3 and torch).

Same data (the split exported by export-mnist-split.ts), same protocol: glorot-uniform kernels and
zero biases, Adam 0.001 with epsilon 1e-7, batch 32, a fresh shuffle per epoch, dropout 0.5, then
the fine-tuning stage with a fresh Adam at 0.0001. One thread. Prints validation accuracy after every
epoch and writes the final figures to OUT/results/table6-pytorch-seed<split seed>[-torch<seed>].json.

  npx tsx scripts/reference/export-mnist-split.ts --out /tmp/mnist-split --seed 0
  python3 scripts/reference/table6_pytorch.py /tmp/mnist-split [--seed S] [--epochs 20] [--fine-tune 5] [--out docs]
"""
import argparse, json, os, platform, time
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("split")
p.add_argument("--seed", type=int, default=None, help="torch seed (default: the split's seed)")
p.add_argument("--epochs", type=int, default=20)
p.add_argument("--fine-tune", type=int, default=5)
p.add_argument("--out", default=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs")))
a = p.parse_args()
meta = json.load(open(os.path.join(a.split, "split.json")))
if a.seed is None:
    a.seed = meta["seed"]
torch.set_num_threads(1)
torch.manual_seed(a.seed)


def load(name, n):
    raw = lambda ext, dt: torch.frombuffer(bytearray(open(os.path.join(a.split, f"{name}.{ext}"), "rb").read()), dtype=dt)
    return raw("x", torch.float32).view(n, 1, 28, 28), raw("y", torch.int32).long()


xt, yt = load("train", meta["train"])
xv, yv = load("val", meta["validation"])
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
for m in model:
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
loss_fn = nn.CrossEntropyLoss()


def accuracy():
    model.eval()
    with torch.no_grad():
        return (model(xv).argmax(1) == yv).sum().item() / len(yv)  # exact, as a count over n


t0 = time.time()
history = []
before = None
for e in range(a.epochs + a.fine_tune):
    if e == 0 or e == a.epochs:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3 if e == 0 else 1e-4, eps=1e-7)
    model.train()
    perm = torch.randperm(len(yt))
    total = 0.0
    for i in range(0, len(yt), 32):
        idx = perm[i:i + 32]
        opt.zero_grad()
        loss = loss_fn(model(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    acc = accuracy()
    history.append({"loss": total / len(yt), "valAccuracy": acc})
    if e == a.epochs - 1:
        before = acc
    print(f"epoch {e + 1}: loss {total / len(yt):.4f} val acc {acc:.4f}", flush=True)

result = {
    "command": "python3 scripts/reference/table6_pytorch.py SPLIT " + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(a).items() if k not in ("split", "out")),
    "splitSeed": meta["seed"], "seed": a.seed, "epochs": a.epochs, "fineTuneEpochs": a.fine_tune,
    "trainSize": meta["train"], "validationSize": meta["validation"],
    "accuracy": history[-1]["valAccuracy"], "accuracyBeforeFineTune": before, "history": history,
    "seconds": time.time() - t0, "torch": torch.__version__, "python": platform.python_version(),
}
os.makedirs(os.path.join(a.out, "results"), exist_ok=True)
name = f"seed{meta['seed']}" + ("" if a.seed == meta["seed"] else f"-torch{a.seed}")
path = os.path.join(a.out, "results", f"table6-pytorch-{name}.json")
with open(path + ".tmp", "w") as f:
    json.dump(result, f, indent=2)
os.replace(path + ".tmp", path)
print(f"accuracy {result['accuracy']:.4f} (after {a.epochs} epochs {before:.4f}); wrote {path}")
