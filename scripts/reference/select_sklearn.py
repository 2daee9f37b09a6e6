"""Reference feature rankings for docs/select-benchmark.md, from scikit-learn.

Usage: python3 scripts/reference/select_sklearn.py MANIFEST.json OUT.json

MANIFEST lists datasets written by scripts/select-benchmark.ts: {"jobs": [{"id", "file", "seed"}]},
each file a CSV of the feature columns then the label (no header). For each job this writes the
full ranking of three selectors, best first, and the seconds each took:
  - rf: random-forest impurity importances (500 trees, the job's seed),
  - mi: mutual information between each feature and the class (k-NN estimator, the job's seed),
  - l1: L1-regularized logistic regression on standardized features; |coefficient| summed over
    classes, ties (zeros) broken by the largest C along a path at which the feature entered.
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def rank(scores):
    # stable: equal scores keep the column order, as bsfnet's rankGates does
    return [int(i) for i in np.argsort(-np.asarray(scores), kind="stable")]


def l1_rank(x, y, seed):
    xs = StandardScaler().fit_transform(x)
    # Entry order along a path of decreasing regularization: a feature that enters at a smaller C
    # (stronger penalty) matters more; features that never enter are ordered by the last |coef|.
    cs = np.logspace(-3, 1, 9)
    entered = np.full(x.shape[1], np.inf)
    last = np.zeros(x.shape[1])
    for c in cs:
        m = LogisticRegression(l1_ratio=1.0, C=c, solver="saga", max_iter=2000, random_state=seed, tol=1e-3)
        m.fit(xs, y)
        w = np.abs(m.coef_).sum(axis=0)
        newly = (w > 1e-8) & np.isinf(entered)
        entered[newly] = c
        last = w
    order = sorted(range(x.shape[1]), key=lambda j: (entered[j], -last[j], j))
    return order


def main():
    manifest = json.load(open(sys.argv[1]))
    out = {"sklearn": __import__("sklearn").__version__, "results": {}}
    for job in manifest["jobs"]:
        data = np.loadtxt(job["file"], delimiter=",", dtype=np.float64, ndmin=2)
        x, y = data[:, :-1], data[:, -1].astype(int)
        seed = int(job["seed"])
        res = {}
        t = time.perf_counter()
        rf = RandomForestClassifier(n_estimators=500, random_state=seed, n_jobs=1).fit(x, y)
        res["rf"] = {"ranking": rank(rf.feature_importances_), "seconds": time.perf_counter() - t}
        t = time.perf_counter()
        res["mi"] = {"ranking": rank(mutual_info_classif(x, y, random_state=seed)), "seconds": time.perf_counter() - t}
        t = time.perf_counter()
        res["l1"] = {"ranking": l1_rank(x, y, seed), "seconds": time.perf_counter() - t}
        out["results"][job["id"]] = res
        print(f"{job['id']}: rf {res['rf']['seconds']:.1f} s, mi {res['mi']['seconds']:.1f} s, l1 {res['l1']['seconds']:.1f} s", file=sys.stderr)
    json.dump(out, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
