"""PyTorch (CPU build) beside bsfnet in `npm run bench` (bench/peers/torch.ts runs it): training and
inference of the paper's three nets, the same functions as bsfnet's (bench/peers/nets.ts).

  python3 scripts/reference/bench_torch.py --serve PLAN.json
  python3 scripts/reference/bench_torch.py --params PLAN.json   (each net's parameter count; a test
                                                                 compares them with bsfnet's)

PLAN.json (written by bench/peers/torch.ts) names the nets, the data files (raw float32 x, int32 y),
the thread count, the training steps per batch size (bsfnet's whole epochs) and the seconds per
measurement. --serve first prints {"torch": version}, then answers each request line on stdin,
{"mode": "train" | "infer", "net": name, "B": batch}, with one JSON row on stdout, until stdin
ends: the bench asks for each row when the node engines have just measured theirs, so the peers
run in the same minute of a VM whose speed drifts.

The nets as Keras and bsfnet set them up: glorot-uniform kernels, zero biases, Adam lr 1e-3 with
epsilon 1e-7, mean cross-entropy over a softmax. The MLPs sit behind the BSF input gate of the
paper: mask = u < w with u uniform, y = x * mask forward; straight-through backward (dx = dy * mask,
dw = sum dy * x), an L1 penalty lambda * sum |w| in the loss, w clipped to [0, 1] after each step.
Inference: the gate is deterministic, y = x * (w > threshold); dropout off.
"""
import json, sys, time
import torch
import torch.nn as nn

count_only = sys.argv[1] == "--params"
if not count_only and sys.argv[1] != "--serve":
    sys.exit("usage: bench_torch.py --serve PLAN.json | --params PLAN.json")
plan = json.load(open(sys.argv[-1]))
torch.set_num_interop_threads(1)


class Gate(nn.Module):
    def __init__(self, d, init, threshold):
        super().__init__()
        self.w = nn.Parameter(torch.full((d,), float(init)))
        self.threshold = threshold

    def forward(self, x):
        if self.training:
            m = (torch.rand_like(x) < self.w).to(x.dtype)
            # forward x * m; backward dx = dy * m, dw = sum_b dy * x (the paper's straight-through)
            return x * (m + self.w - self.w.detach())
        return x * (self.w > self.threshold).to(x.dtype)


def build(net):
    if net["kind"] == "mlp":
        layers = []
        if net.get("gate"):
            layers.append(Gate(net["inputs"], net["gate"]["init"], net["gate"]["threshold"]))
        d = net["inputs"]
        for h in net["hidden"]:
            layers += [nn.Linear(d, h), nn.ReLU()]
            d = h
        layers.append(nn.Linear(d, net["classes"]))
    else:  # the Table 6 CNN; NCHW with one channel is the same memory as bsfnet's NHWC
        layers = [nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                  nn.Linear(128, net["classes"])]
    model = nn.Sequential(*layers)
    for m in model:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return model


def load(net):
    raw = lambda p, dt: torch.frombuffer(bytearray(open(p, "rb").read()), dtype=dt)
    x = raw(net["x"], torch.float32).view(net["n"], -1)
    return x, raw(net["y"], torch.int32).long()


loss_fn = nn.CrossEntropyLoss()


def trainer(net, x, y, B):
    model = build(net)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    gates = [m for m in model if isinstance(m, Gate)]
    penalty = net["gate"]["penalty"] if net.get("gate") else 0.0
    n = len(y)
    state = {"perm": torch.randperm(n), "at": 0}

    def step():
        if state["at"] + B > n:
            state["perm"], state["at"] = torch.randperm(n), 0
        idx = state["perm"][state["at"]:state["at"] + B]
        state["at"] += B
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        for g in gates:
            loss = loss + penalty * g.w.abs().sum()
        loss.backward()
        opt.step()
        with torch.no_grad():
            for g in gates:
                g.w.clamp_(0, 1)
    return step


def warm_up(fn, seconds):
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()


if count_only:
    print(json.dumps({net["name"]: sum(p.numel() for p in build(net).parameters()) for net in plan["nets"]}))
    sys.exit(0)

def train_row(net, x, y, B, threads):
    torch.manual_seed(0)
    # the engine first (time-based: a throwaway model), then a new model's first steps
    warm_up(trainer(net, x, y, B), plan["warmupSeconds"])
    step = trainer(net, x, y, B)
    total, window = net["stepsByBatch"][str(B)], net["window"]
    stamps = [time.perf_counter()]
    for _ in range(total):
        step()
        stamps.append(time.perf_counter())
    # fresh: steps 1..window (step 0 also allocates); steady: the last `window` steps
    fresh = (stamps[window + 1] - stamps[1]) / window
    steady = (stamps[total] - stamps[total - window]) / window
    return {"mode": "train", "net": net["name"], "threads": threads, "B": B, "steps": total,
            "window": window, "fresh": B / fresh, "steady": B / steady}


def infer_row(net, model, x, B, threads):
    xb = x[:B].clone()
    with torch.inference_mode():
        call = lambda: torch.softmax(model(xb), 1)  # bsfnet returns probabilities
        warm_up(call, plan["warmupSeconds"])
        samples = []
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < plan["inferSeconds"] or len(samples) < 5:
            s = time.perf_counter()
            call()
            samples.append(time.perf_counter() - s)
    samples.sort()
    return {"mode": "infer", "net": net["name"], "threads": threads, "B": B,
            "sps": B / samples[len(samples) // 2], "samples": len(samples)}


threads = plan["threads"]
torch.set_num_threads(threads)
nets = {net["name"]: net for net in plan["nets"]}
data, models = {}, {}
print(json.dumps({"torch": torch.__version__}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    net = nets[req["net"]]
    if net["name"] not in data:
        data[net["name"]] = load(net)
    x, y = data[net["name"]]
    if req["mode"] == "train":
        row = train_row(net, x, y, req["B"], threads)
        print(f"torch {threads}t train {net['name']} B={req['B']}: fresh {row['fresh']:.0f}, "
              f"steady {row['steady']:.0f} samples/s", file=sys.stderr, flush=True)
    else:
        if net["name"] not in models:
            torch.manual_seed(0)
            models[net["name"]] = build(net)
            models[net["name"]].eval()
        row = infer_row(net, models[net["name"]], x, req["B"], threads)
        print(f"torch {threads}t infer {net['name']} B={req['B']}: {row['sps']:.0f} samples/s",
              file=sys.stderr, flush=True)
    print(json.dumps(row), flush=True)
