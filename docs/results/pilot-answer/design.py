#!/usr/bin/env python3
"""Design arithmetic of the `answer` preset (docs/study.md, "The answer preset").

Reads the pilot results (docs/results/pilot-*/results.jsonl) and the CPU seconds measured with
/usr/bin/time (passed on the command line), prints the overfitting numbers, the sd of paired
differences, the seeds needed and the predicted wall time. Needs scipy (Debian python3-scipy).
usage: design.py CPU_PER_EPOCH CPU_PER_TEST_PASS
"""
import json, math, sys, pathlib
from scipy import stats

root = pathlib.Path(__file__).resolve().parents[1]

def trials(name):
    out = {}
    for line in open(root / name / "results.jsonl"):
        d = json.loads(line)
        t = out.setdefault(d["trial"], {"variant": d["variant"], "seed": d["seed"], "epochs": {}})
        if d["type"] == "epoch":
            t["epochs"][d["epoch"]] = d
        else:
            t["result"] = d
    return out

# (a) overfitting without dropout around the pools
for t in trials("pilot-overfit").values():
    r, e = t["result"], t["epochs"]
    vl = [e[i]["val_loss"] for i in sorted(e)]
    m = min(range(len(vl)), key=lambda i: vl[i])
    print(f"{t['variant']} seed {t['seed']}: val loss min {vl[m]:.4f} at epoch {m + 1}, last {vl[-1]:.4f} at epoch {len(vl)}; "
          f"train {100 * r['trainAccuracy']:.2f}%, test {100 * r['testAccuracy']:.2f}% (best epoch {100 * r['bestTestAccuracy']:.2f}%), "
          f"gap {100 * r['gap']:+.2f} points")

# (b) sd of paired differences: dropout before - after, same seed
ts = [t for t in trials("pilot-answer").values() if "result" in t]
by = {}
for t in ts:
    by.setdefault(t["seed"], {})[t["variant"]] = t["result"]
for key in ("testAccuracy", "bestTestAccuracy"):
    d = [100 * (v["max dropout-before 0.25"][key] - v["max dropout-after 0.25"][key]) for v in by.values() if len(v) == 2]
    n = len(d)
    if n < 2:
        print("fewer than 2 paired seeds")
        continue
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    # one-sided 80% upper confidence bound of sd (chi-square, n-1 df)
    sd_hi = sd * math.sqrt((n - 1) / stats.chi2.ppf(0.2, n - 1))
    print(f"{key}: {n} paired seeds, differences {[round(x, 3) for x in d]}, mean {mean:+.3f}, sd {sd:.3f} points "
          f"(80% upper bound {sd_hi:.3f})")

def mdd(sd, n, alpha=0.05, power=0.8):
    return (stats.t.ppf(1 - alpha / 2, n - 1) + stats.t.ppf(power, n - 1)) * sd / math.sqrt(n)

def eq(sd, n, alpha=0.05, power=0.8):
    return (stats.t.ppf(1 - alpha, n - 1) + stats.t.ppf(1 - (1 - power) / 2, n - 1)) * sd / math.sqrt(n)

for n in (8, 10, 12, 14, 16):
    tol = 0.3 * math.sqrt(n) / (stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1))
    tol_eq = 0.3 * math.sqrt(n) / (stats.t.ppf(0.95, n - 1) + stats.t.ppf(0.9, n - 1))
    print(f"n = {n}: detects 0.3 points with 80% power if sd <= {tol:.3f}; TOST reaches +-0.3 if sd <= {tol_eq:.3f}")

# (d) time: 10 variants x n seeds x E epochs, 2 trials side by side on 2 cores
if len(sys.argv) == 3:
    per_epoch, per_test = float(sys.argv[1]), float(sys.argv[2])
    for n, E in ((12, 14), (14, 14), (16, 14), (12, 16), (14, 16), (16, 12)):
        cpu = 10 * n * (E * per_epoch + 2 * per_test + 1)  # + 1 s: training accuracy on 2,000 images
        print(f"n = {n}, E = {E}: {cpu:.0f} CPU s = {cpu / 2 / 3600:.2f} h on 2 cores")
