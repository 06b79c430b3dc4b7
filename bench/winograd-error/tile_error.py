#!/usr/bin/env python3
"""Float32 error of larger Winograd tiles against the direct path, before writing any Java for them.

Issue 11 allows larger tiles "where their error stays below the direct path's". This simulates, in
numpy, one 3x3 layer (20x20x64 -> 64, inputs uniform in [0, 1) like post-ReLU activations,
glorot-uniform kernel) in float32 four ways and prints each one's relative max error against float64
(max |y - ref| / max |ref|, the measure `cnn4j bench` prints per layer):
  - the direct path: one float32 FMA-like chain over (dy, dx, c), as im2col + GEMM sums;
  - F(2x2,3x3) (what cnn4j uses), F(4x4,3x3) and F(3x3,3x3) with several interpolation point sets,
    transforms and the per-position channel sums in float32.
Run: python3 bench/winograd-error/tile_error.py   (numpy only; about a minute)
"""
import numpy as np
from numpy.polynomial import polynomial as P
rng = np.random.default_rng(1)
H, C, F = 20, 64, 64
x = rng.random((H, H, C)).astype(np.float32)
lim = np.sqrt(6/(9*C+9*F))
g = rng.uniform(-lim, lim, (3,3,C,F)).astype(np.float32)
OH = H-2
# reference double
ref = np.zeros((OH,OH,F))
xd, gd = x.astype(np.float64), g.astype(np.float64)
for i in range(3):
    for j in range(3):
        ref += np.einsum('hwc,cf->hwf', xd[i:i+OH, j:j+OH], gd[i,j])
# direct: sequential float32 accumulation over (i,j,c)
acc = np.zeros((OH,OH,F), np.float32)
for i in range(3):
    for j in range(3):
        for c in range(C):
            acc = (acc + x[i:i+OH, j:j+OH, c:c+1] * g[i,j,c]).astype(np.float32)
def relerr(y): return np.abs(y-ref).max()/np.abs(ref).max()
print('direct seq f32', relerr(acc))
def wino(BT, G, AT, m):
    a = BT.shape[0]
    BT, G, AT = BT.astype(np.float32), G.astype(np.float32), AT.astype(np.float32)
    U = np.einsum('ai,ijcf,bj->abcf', G, g, G).astype(np.float32)
    T = (OH + m - 1)//m
    xp = np.zeros((T*m+2, T*m+2, C), np.float32); xp[:H,:H] = x
    y = np.zeros((T*m, T*m, F), np.float32)
    for ty in range(T):
        for tx in range(T):
            d = xp[ty*m:ty*m+a, tx*m:tx*m+a]
            V = np.einsum('ai,ijc,bj->abc', BT, d, BT).astype(np.float32)
            # GEMM over c in float32 sequential
            M = np.zeros((a,a,F), np.float32)
            for c in range(C):
                M = (M + V[:,:,c:c+1]*U[:,:,c,:]).astype(np.float32)
            y[ty*m:ty*m+m, tx*m:tx*m+m] = np.einsum('ai,ijf,bj->abf', AT, M, AT).astype(np.float32)
    return y[:OH,:OH]
BT2 = np.array([[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]],float)
G2 = np.array([[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]])
AT2 = np.array([[1,1,1,0],[0,1,-1,-1]],float)
print('F(2,3)', relerr(wino(BT2,G2,AT2,2)))
BT4 = np.array([[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]],float)
G4 = np.array([[1/4,0,0],[-1/6,-1/6,-1/6],[-1/6,1/6,-1/6],[1/24,1/12,1/6],[1/24,-1/12,1/6],[0,0,1]])
AT4 = np.array([[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]],float)
print('F(4,3)', relerr(wino(BT4,G4,AT4,4)))

def toom(points, m, r=3):
    n = m + r - 1
    pts = points
    assert len(pts) == n-1
    AT = np.zeros((m, n)); G = np.zeros((n, r)); BT = np.zeros((n, n))
    for j,p in enumerate(pts):
        for i in range(m): AT[i,j] = p**i
        Nj = np.prod([p-q for l,q in enumerate(pts) if l!=j])
        for k in range(r): G[j,k] = p**k / Nj
        Mj = [1.0]
        for l,q in enumerate(pts):
            if l!=j: Mj = P.polymul(Mj, [-q, 1])
        BT[j,:len(Mj)] = Mj
    AT[m-1, n-1] = 1; G[n-1, r-1] = 1
    M = [1.0]
    for q in pts: M = P.polymul(M, [-q,1])
    BT[n-1,:len(M)] = M
    # BT as used: V = BT d BT^T ; Toom-Cook gives transposed roles; verify numerically and fix
    return BT, G, AT
def check(BT,G,AT,m):
    d = rng.random(m+2); gg = rng.random(3)
    y = AT @ ((G@gg) * (BT@d))
    exact = np.array([sum(d[i+k]*gg[k] for k in range(3)) for i in range(m)])
    return np.abs(y-exact).max()
for pts in ([0,1,-1,2,-2],[0,1,-1,0.5,-0.5],[0,1,-1,2,0.5],[0,1,-1,0.5,-2],[0,-1,1,0.5,-2]):
    BT,G,AT = toom(pts,4)
    e = check(BT,G,AT,4)
    if e > 1e-9:
        BT = BT.T.copy()  # try other convention
        e = check(BT,G,AT,4)
    print(pts, 'exactness', e, 'F(4,3) err', relerr(wino(BT,G,AT,4)) if e < 1e-9 else None)
print('--- F(3,3)')
for pts in ([0,1,-1,2],[0,1,-1,0.5],[0,1,-1,-0.5],[0,1,-1,-2]):
    BT,G,AT = toom(pts,3)
    e = check(BT,G,AT,3)
    if e > 1e-9:
        BT = BT.T.copy(); e = check(BT,G,AT,3)
    print(pts, 'exactness', e, 'F(3,3) err', relerr(wino(BT,G,AT,3)) if e < 1e-9 else None)
