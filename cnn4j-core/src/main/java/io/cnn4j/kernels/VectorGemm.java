package io.cnn4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;


/**
 * SGEMM with the Vector API ({@code jdk.incubator.vector}): a register-blocked kernel in the style of
 * GotoBLAS/BLIS; no Keras counterpart. op(B) is packed into panels of {@link #NR} columns (two vectors wide) and the
 * micro-kernel keeps an mr×NR block of C in 2·mr vector accumulators, doing one broadcast
 * of an A element and two FMAs per row and k step; mr is 6 ({@link VectorGemmRows6}) or 14
 * ({@link VectorGemmRows14}, for 32 vector registers), chosen per CPU by {@link KernelTuner} (for
 * op(A) = A; op(A) = Aᵀ always takes 6, {@link #rowsFor}). A is read in place rather than packed: in this
 * library's products n is small (the filter count, 32–256), so a packed A panel would be used for
 * only one or two B panels and packing it costs about as much as the multiply (measured: a third
 * of the time); its six rows are read as six sequential streams instead.
 *
 * <p>Do not reference this class unless {@link VectorGemmProvider#isAvailable()} says so: it links
 * against the incubator module, which is only readable with {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Threads: one call is split by rows of C or by columns of C, in chunks of blocks taken by whichever
 * thread is free, or, when k dwarfs both (the weight gradient of a convolution, k = batch·pixels),
 * over a fixed partition of k whose partial products are summed in partition order. So a result is
 * bit-for-bit the same at a fixed thread count; row and column splits give the same bits at any
 * thread count. The workers are daemon threads owned by this instance that
 * die when idle, so a dropped instance leaves nothing behind.
 */
public final class VectorGemm implements Gemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Rows of C per block of the default micro-kernel variant. */
    static final int MR = VectorGemmRows6.MR;
    /** Columns of C per micro-kernel call: two vectors. */
    static final int NR = 2 * VL;
    /** Below this many multiply-adds a call runs on the calling thread alone. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;
    /**
     * The k blocking that fixes where a depth split ({@link #splitDepth}) cuts k between threads:
     * fixed rather than the tuned kc, because the cut decides which partial sums are added, and so
     * the bits; kc only blocks the loop inside each thread's range, which does not.
     */
    private static final int DEPTH_SPLIT_BLOCK = 320;
    /** Most rows of k per block of a one-row depth split (2 MB of a 256-wide B: a few blocks per thread). */
    static final int ROW_SPLIT_BLOCK = 2048;

    private final int threads;
    private final KernelTuning tuning;
    private final int kc;
    private final int nc;
    /** Rows of C per micro-kernel block: 6 ({@link VectorGemmRows6}) or 14 ({@link VectorGemmRows14}), by the tuning. */
    private final int mr;
    private final Workspace[] workspaces;
    private final Parallel parallel;
    private final Operands operands = new Operands();
    private final Job job = new Job();
    /** One partial row of C per block of k in a one-row depth split ({@link #oneRowByDepthBlocks}). */
    private float[] rowPartials = new float[0];

    /** A backend using up to {@code threads} threads per call, with default block sizes. */
    public VectorGemm(int threads) {
        this(threads, KernelTuning.DEFAULTS);
    }

    /** Block sizes kc and nc, the Winograd chunk at its default (tests: small blocks reach every edge path). */
    VectorGemm(int threads, int kc, int nc) {
        this(threads, new KernelTuning(kc, nc, KernelTuning.DEFAULTS.winogradChunkFloats()));
    }

    /** With the given block sizes: kc (depth of a packed B block) and nc (its columns, rounded to NR). */
    public VectorGemm(int threads, KernelTuning tuning) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        this.threads = threads;
        this.tuning = tuning;
        this.kc = tuning.gemmKc();
        this.nc = Math.max(NR, tuning.gemmNc() / NR * NR);
        this.mr = tuning.gemmRows();
        this.workspaces = new Workspace[threads];
        for (int t = 0; t < threads; t++) {
            workspaces[t] = new Workspace();
        }
        this.parallel = new Parallel(threads);
    }

    @Override
    public String name() {
        return "vector";
    }

    public int threads() {
        return threads;
    }

    /** A one-thread instance with the same blocking, for callers that run several products side by side. */
    @Override
    public Gemm forOneThread() {
        return new VectorGemm(1, tuning);
    }

    @Override
    public KernelTuning tuning() {
        return tuning;
    }

    /** The vector width in floats (16 with AVX-512, 8 with AVX2). */
    public static int vectorLength() {
        return VL;
    }

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        Gemm.checkArguments(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        // one reusable holder per instance (calls are serialised): no allocation per call
        Operands ops = operands.set(transA, transB, a, aOff, lda, b, bOff, ldb);
        if (k == 0 || alpha == 0f) {
            scale(c, cOff, ldc, 0, m, 0, n, beta);
            return;
        }
        long work = (long) m * n * k;
        int rowBlocks = (m + rowsFor(ops) - 1) / rowsFor(ops);
        int colBlocks = (n + NR - 1) / NR;
        // k in equal blocks of at most kc: k = 288 is one block rather than 256 + 32, whose short
        // second pass would cost almost as much C traffic as the first
        int kBlocks = (k + kc - 1) / kc;
        int kcHere = (k + kBlocks - 1) / kBlocks;
        int splitBlocks = (k + DEPTH_SPLIT_BLOCK - 1) / DEPTH_SPLIT_BLOCK;
        if (m == 1 && alpha == 1f && !transB && work >= PARALLEL_THRESHOLD && k >= 4L * n && k >= 2 * ROW_SPLIT_BLOCK) {
            oneRowByDepthBlocks(ops, n, k, beta, c, cOff);
        } else if (threads == 1 || work < PARALLEL_THRESHOLD) {
            block(ops, workspaces[0], 0, m, 0, n, 0, k, kcHere, alpha, beta, c, cOff, ldc);
        } else if (k >= 4L * Math.max(m, n) && splitBlocks >= 2 * threads) {
            splitDepth(ops, m, n, k, splitBlocks, (k + splitBlocks - 1) / splitBlocks, kcHere, alpha, beta, c, cOff, ldc);
        } else if (colBlocks >= threads && (m < n || rowBlocks < threads)) {
            // by columns when B is the bigger operand (dense layers): each thread packs only its share of B
            job.set(Job.COLUMNS, ops, m, n, k, colBlocks, kcHere, alpha, beta, c, cOff, ldc);
            runChunks(colBlocks);
        } else if (rowBlocks >= threads) {
            job.set(Job.ROWS, ops, m, n, k, rowBlocks, kcHere, alpha, beta, c, cOff, ldc);
            runChunks(rowBlocks);
        } else {
            block(ops, workspaces[0], 0, m, 0, n, 0, k, kcHere, alpha, beta, c, cOff, ldc);
        }
    }

    /**
     * A batch of one through a big dense layer (1 × k times k × n, k ≫ n: the seed net's 30 976 ×
     * 256, 31.7 MB of weights read once per image): k is cut into equal blocks of at most
     * {@link #ROW_SPLIT_BLOCK} rows, fixed by k alone; each block's partial row (one FMA chain per
     * element over the block, from +0) goes to its own slot, the blocks go to whichever thread is
     * free, and the partials are summed in block order. So the bits depend neither on the thread
     * count nor on which thread ran a block, and a vCPU slowed by a neighbour (these VMs have them)
     * hands its blocks to the other instead of holding up a fixed half. Each block streams its rows
     * of B front to back, 16 vectors of C in registers ({@link #rowTimesWide}): measured on the Zen
     * 4 host against the previous fixed halves of 64-column passes, 0.86× the time (median ratio of
     * 400 interleaved calls).
     */
    private void oneRowByDepthBlocks(Operands ops, int n, int k, float beta, float[] c, int cOff) {
        int blocks = (k + ROW_SPLIT_BLOCK - 1) / ROW_SPLIT_BLOCK;
        int rows = (k + blocks - 1) / blocks;
        if (rowPartials.length < blocks * n) {
            rowPartials = new float[blocks * n];
        }
        job.set(Job.ROW_BLOCKS, ops, 1, n, k, blocks, rows, 1f, 0f, rowPartials, 0, n);
        try {
            // on one thread Parallel runs the blocks in order on the caller
            parallel.forPartsDynamic(blocks, 1, job);
        } finally {
            job.clear();
        }
        float[] part = rowPartials;
        for (int j = 0; j < n; j++) {
            float s = part[j];
            for (int q = 1; q < blocks; q++) {
                s += part[q * n + j];
            }
            c[cOff + j] = beta == 0f ? s : beta * c[cOff + j] + s;
        }
    }

    /** First unit of part t when {@code units} are split evenly over the threads. */
    private int part(int units, int t) {
        return (int) ((long) units * t / threads);
    }

    /**
     * Each thread multiplies a range of k into its own m×n buffer; the buffers are then summed in
     * thread order. The ranges are whole blocks of {@code splitBlock} (from the fixed
     * {@link #DEPTH_SPLIT_BLOCK}); inside its range a thread blocks k by the tuned {@code kc}.
     */
    private void splitDepth(Operands ops, int m, int n, int k, int splitBlocks, int splitBlock, int kc, float alpha, float beta,
                            float[] c, int cOff, int ldc) {
        for (Workspace w : workspaces) {
            w.ensurePartial(m * n);
        }
        job.set(Job.DEPTH, ops, m, n, k, splitBlocks, kc, alpha, beta, c, cOff, ldc);
        job.splitBlock = splitBlock;
        runJob();
        // reduction by rows, each row summed over the partials in the same order
        job.set(Job.REDUCE, ops, m, n, k, m, kc, alpha, beta, c, cOff, ldc);
        runJob();
    }

    /**
     * Runs a row or column split of {@link #job} in chunks of blocks, each to whichever thread is free
     * (about four per thread): every block of C is computed alone, whoever computes it, so the bits do
     * not depend on the split, and a thread slowed by its neighbours hands blocks to the other.
     */
    private void runChunks(int blocks) {
        try {
            parallel.forPartsDynamic(blocks, Math.max(1, (blocks + 4 * threads - 1) / (4 * threads)), job);
        } finally {
            job.clear();
        }
    }

    /** Runs part t of {@link #job} for every thread t (part 0 on the calling thread), then drops its array references. */
    private void runJob() {
        try {
            parallel.forParts(threads, job);
        } finally {
            job.clear();
        }
    }

    /**
     * One parallel phase of a call, as an object made once: its parameters are set in fields before
     * each phase (calls are serialised), so a call allocates no lambda capturing them.
     */
    private final class Job implements Parallel.PartRange {
        static final int COLUMNS = 0, ROWS = 1, DEPTH = 2, REDUCE = 3, ROW_BLOCKS = 4;
        private int kind;
        private Operands ops;
        private int m, n, k, units, kc, cOff, ldc;
        /** k per unit of a depth split (the units are blocks of k, cut independently of kc). */
        private int splitBlock;
        private float alpha, beta;
        private float[] c;

        void set(int kind, Operands ops, int m, int n, int k, int units, int kc, float alpha, float beta,
                 float[] c, int cOff, int ldc) {
            this.kind = kind;
            this.ops = ops;
            this.m = m;
            this.n = n;
            this.k = k;
            this.units = units;
            this.kc = kc;
            this.alpha = alpha;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
        }

        void clear() {
            c = null;
        }

        @Override
        public void run(int t, int from, int to) {
            switch (kind) {
                // column and row splits come in chunks [from, to) of blocks (runChunks), to whichever thread t is free
                case COLUMNS -> {
                    int j0 = Math.min(n, from * NR), j1 = Math.min(n, to * NR);
                    block(ops, workspaces[t], 0, m, j0, j1, 0, k, kc, alpha, beta, c, cOff, ldc);
                }
                case ROWS -> {
                    int i0 = Math.min(m, from * rowsFor(ops)), i1 = Math.min(m, to * rowsFor(ops));
                    block(ops, workspaces[t], i0, i1, 0, n, 0, k, kc, alpha, beta, c, cOff, ldc);
                }
                // blocks [from, to) of k of a one-row product, each into its own partial row (c here)
                case ROW_BLOCKS -> {
                    for (int q = from; q < to; q++) {
                        int p0 = q * kc, p1 = Math.min(k, p0 + kc);
                        java.util.Arrays.fill(c, q * n, (q + 1) * n, 0f);
                        rowTimesWide(ops, 0, 0, n, p0, p1, c, q * n);
                    }
                }
                case DEPTH -> {
                    int p0 = Math.min(k, part(units, t) * splitBlock), p1 = Math.min(k, part(units, t + 1) * splitBlock);
                    Workspace w = workspaces[t];
                    if (p1 > p0) {
                        block(ops, w, 0, m, 0, n, p0, p1, kc, 1f, 0f, w.partial, 0, n);
                    } else {
                        java.util.Arrays.fill(w.partial, 0, m * n, 0f);
                    }
                }
                default -> reduce(t);
            }
        }

        /** Rows of part t of C = beta·C + alpha·(sum of the partials, in thread order). */
        private void reduce(int t) {
            int i0 = part(m, t), i1 = part(m, t + 1);
            for (int i = i0; i < i1; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    float s = workspaces[0].partial[i * n + j];
                    for (int q = 1; q < threads; q++) {
                        s += workspaces[q].partial[i * n + j];
                    }
                    float old = beta == 0f ? 0f : beta * c[ci + j];
                    c[ci + j] = old + alpha * s;
                }
            }
        }
    }

    /** C[i0:i1, j0:j1] = beta·C + alpha·op(A)[i0:i1, p0:p1]·op(B)[p0:p1, j0:j1], single-threaded, k in blocks of kc. */
    private void block(Operands ops, Workspace w, int i0, int i1, int j0, int j1, int p0, int p1, int kc,
                       float alpha, float beta, float[] c, int cOff, int ldc) {
        if (i1 <= i0 || j1 <= j0) {
            return;
        }
        if (beta != 0f && beta != 1f) {
            // then every k block accumulates into C
            scale(c, cOff, ldc, i0, i1, j0, j1, beta);
            beta = 1f;
        }
        if (i1 - i0 == 1 && alpha == 1f && !ops.transB) {
            // one row (a batch of one through a dense layer): the 6-row micro-kernel would do six
            // times the multiply-adds through the edge tile; same FMA chain per element, same bits
            rowTimesB(ops, i0, j0, j1, p0, p1, beta == 0f, c, cOff + i0 * ldc);
            return;
        }
        w.ensurePack(kc * nc);
        int mr = rowsFor(ops);
        int rs = ops.rowStride(), ks = ops.depthStride();
        float[] a = ops.a(), tile = w.tile;
        // B read in place when its rows already are whole NR-wide panels (untransposed, alpha 1):
        // for a dense layer's x·W with a few rows the packing copy of W would cost as much as the
        // multiply, and a convolution's kernel (k × F, F = 32 or 64) is already laid out that way
        boolean direct = !ops.transB && alpha == 1f && (j1 - j0) % NR == 0;
        float[] pb = direct ? ops.b : w.packB;
        for (int jc = j0; jc < j1; jc += nc) {
            int nb = Math.min(nc, j1 - jc);
            for (int pc = p0; pc < p1; pc += kc) {
                int kb = Math.min(kc, p1 - pc);
                boolean store = pc == p0 && beta == 0f;
                int bs = direct ? ops.ldb : NR;
                if (!direct) {
                    ops.packB(pb, pc, kb, jc, nb, alpha);
                } else if (i1 - i0 > mr && bigDirectB(ops, alpha, j1 - j0, p1 - p0)) {
                    // B's block straight from memory would arrive row segment by row segment as
                    // the first row block's kernels ask for it, at a 4·ldb-byte stride that the
                    // prefetchers follow poorly; read front to back first, it streams into L2
                    // (measured, the seed net's dense layer at batch 32, 32 × 30 976 × 256, whose k
                    // is split over the threads: 0.85× the time on two threads, median of 6
                    // alternating processes on the Zen 5 host). Only reads: no bit changes
                    w.sink ^= pretouch(ops.b, ops.bOff + pc * ops.ldb + jc, ops.ldb, kb, nb);
                }
                // mr rows of A stay in L1 while they meet every B panel (the packed block sits in L2)
                for (int ir = i0; ir < i1; ir += mr) {
                    int rows = Math.min(mr, i1 - ir);
                    int aIdx = ops.aIndex(ir, pc);
                    for (int jr = 0; jr < nb; jr += NR) {
                        int cols = Math.min(NR, nb - jr);
                        int cIdx = cOff + ir * ldc + jc + jr;
                        int bIdx = direct ? ops.bOff + pc * ops.ldb + jc + jr : jr / NR * kb * NR;
                        if (rows == mr && cols == NR) {
                            micro(mr, store, ks == 1, ks, kb, a, aIdx, rs, mr, pb, bIdx, bs, c, cIdx, ldc);
                        } else {
                            // an edge block goes through the tile, so the kernels never touch C out of range
                            if (!store) {
                                tileFromC(tile, c, cIdx, ldc, rows, cols);
                            }
                            // with the same kernel as the full blocks (same FMA chains): one method fewer to
                            // reach compiled speed, and until C2 has it, vector code runs boxed, many times slower
                            micro(mr, store, ks == 1, ks, kb, a, aIdx, rs, rows, pb, bIdx, bs, tile, 0, NR);
                            tileToC(tile, c, cIdx, ldc, rows, cols);
                        }
                    }
                }
            }
        }
    }

    /** True when op(B) is read in place and holds at least 1 MB (k × n ≥ 2^18 floats): more than L2 keeps between calls. */
    private static boolean bigDirectB(Operands ops, float alpha, int n, int k) {
        return !ops.transB && alpha == 1f && (long) n * k >= 1 << 18;
    }

    /**
     * Reads one float per cache line of B's block, rows in order, and returns their bits XORed (kept
     * in {@link Workspace#sink} so the JIT cannot drop the reads); an integer XOR chain, not a float
     * sum, so the loads, not a 4-cycle add latency, set the pace.
     */
    private static int pretouch(float[] b, int off, int ldb, int rows, int cols) {
        int s = 0;
        for (int p = 0, r = off; p < rows; p++, r += ldb) {
            for (int j = 0; j < cols; j += 16) {
                s ^= Float.floatToRawIntBits(b[r + j]);
            }
        }
        return s;
    }

    /**
     * C row [j0, j1) (=, or += when {@code store} is false) op(A) row i · B[p0:p1, j0:j1], B untransposed
     * and read in place. Each element is one FMA chain over p in order, starting from 0 or from C,
     * exactly as in the micro-kernels, so the result has the same bits as the blocked path. B is taken
     * in blocks of rows that fit in L2 (≈ 128 KB): the first column chunk streams the block in from
     * memory and the other chunks find it in cache, while four vectors of C stay in registers.
     */
    private static void rowTimesB(Operands ops, int i, int j0, int j1, int p0, int p1, boolean store, float[] c, int cRow) {
        int rowsPerBlock = Math.max(8, (32 * 1024) / Math.max(1, j1 - j0));
        for (int q0 = p0; q0 < p1; q0 += rowsPerBlock) {
            rowTimesBlock(ops, i, j0, j1, q0, Math.min(p1, q0 + rowsPerBlock), store && q0 == p0, c, cRow);
        }
    }

    /**
     * C row [j0, j1) += op(A) row i · B[p0:p1, j0:j1], B untransposed and read in place: with
     * 16-float vectors, 16 vectors of C (256 columns, one 1 KB row of the seed net's B) stay in
     * registers while the rows of B stream by in order; narrower vectors, or the columns left, go
     * through {@link #rowTimesB}. Each element is one FMA chain over p in order starting from C.
     */
    private static void rowTimesWide(Operands ops, int i, int j0, int j1, int p0, int p1, float[] c, int cRow) {
        int j = j0;
        if (VL == 16) {
            float[] a = ops.a(), b = ops.b;
            int aIdx = ops.aIndex(i, p0), ks = ops.depthStride(), ldb = ops.ldb, bRow = ops.bOff + p0 * ldb;
            for (; j + 16 * VL <= j1; j += 16 * VL) {
                int o = cRow + j;
                FloatVector c0 = FloatVector.fromArray(SPECIES, c, o), c1 = FloatVector.fromArray(SPECIES, c, o + VL);
                FloatVector c2 = FloatVector.fromArray(SPECIES, c, o + 2 * VL), c3 = FloatVector.fromArray(SPECIES, c, o + 3 * VL);
                FloatVector c4 = FloatVector.fromArray(SPECIES, c, o + 4 * VL), c5 = FloatVector.fromArray(SPECIES, c, o + 5 * VL);
                FloatVector c6 = FloatVector.fromArray(SPECIES, c, o + 6 * VL), c7 = FloatVector.fromArray(SPECIES, c, o + 7 * VL);
                FloatVector c8 = FloatVector.fromArray(SPECIES, c, o + 8 * VL), c9 = FloatVector.fromArray(SPECIES, c, o + 9 * VL);
                FloatVector c10 = FloatVector.fromArray(SPECIES, c, o + 10 * VL), c11 = FloatVector.fromArray(SPECIES, c, o + 11 * VL);
                FloatVector c12 = FloatVector.fromArray(SPECIES, c, o + 12 * VL), c13 = FloatVector.fromArray(SPECIES, c, o + 13 * VL);
                FloatVector c14 = FloatVector.fromArray(SPECIES, c, o + 14 * VL), c15 = FloatVector.fromArray(SPECIES, c, o + 15 * VL);
                for (int p = p0, ai = aIdx, bi = bRow + j; p < p1; p++, ai += ks, bi += ldb) {
                    FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
                    c0 = av.fma(FloatVector.fromArray(SPECIES, b, bi), c0);
                    c1 = av.fma(FloatVector.fromArray(SPECIES, b, bi + VL), c1);
                    c2 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 2 * VL), c2);
                    c3 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 3 * VL), c3);
                    c4 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 4 * VL), c4);
                    c5 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 5 * VL), c5);
                    c6 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 6 * VL), c6);
                    c7 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 7 * VL), c7);
                    c8 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 8 * VL), c8);
                    c9 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 9 * VL), c9);
                    c10 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 10 * VL), c10);
                    c11 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 11 * VL), c11);
                    c12 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 12 * VL), c12);
                    c13 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 13 * VL), c13);
                    c14 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 14 * VL), c14);
                    c15 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 15 * VL), c15);
                }
                c0.intoArray(c, o);
                c1.intoArray(c, o + VL);
                c2.intoArray(c, o + 2 * VL);
                c3.intoArray(c, o + 3 * VL);
                c4.intoArray(c, o + 4 * VL);
                c5.intoArray(c, o + 5 * VL);
                c6.intoArray(c, o + 6 * VL);
                c7.intoArray(c, o + 7 * VL);
                c8.intoArray(c, o + 8 * VL);
                c9.intoArray(c, o + 9 * VL);
                c10.intoArray(c, o + 10 * VL);
                c11.intoArray(c, o + 11 * VL);
                c12.intoArray(c, o + 12 * VL);
                c13.intoArray(c, o + 13 * VL);
                c14.intoArray(c, o + 14 * VL);
                c15.intoArray(c, o + 15 * VL);
            }
        }
        if (j < j1) {
            rowTimesB(ops, i, j, j1, p0, p1, false, c, cRow);
        }
    }

    private static void rowTimesBlock(Operands ops, int i, int j0, int j1, int p0, int p1, boolean store, float[] c, int cRow) {
        float[] a = ops.a(), b = ops.b;
        int aIdx = ops.aIndex(i, p0), ks = ops.depthStride(), ldb = ops.ldb, bRow = ops.bOff + p0 * ldb;
        if (store) {
            // chains from +0 read from C rather than `store ? zero : load`: a vector chosen by a branch
            // is a phi, which C2 may box (as it did in the Winograd edge tiles). Same bits: the
            // loaded +0 is the zero vector's value
            java.util.Arrays.fill(c, cRow + j0, cRow + j1, 0f);
        }
        int j = j0;
        for (; j + 4 * VL <= j1; j += 4 * VL) {
            FloatVector c0 = FloatVector.fromArray(SPECIES, c, cRow + j);
            FloatVector c1 = FloatVector.fromArray(SPECIES, c, cRow + j + VL);
            FloatVector c2 = FloatVector.fromArray(SPECIES, c, cRow + j + 2 * VL);
            FloatVector c3 = FloatVector.fromArray(SPECIES, c, cRow + j + 3 * VL);
            for (int p = p0, ai = aIdx, bi = bRow + j; p < p1; p++, ai += ks, bi += ldb) {
                FloatVector av = FloatVector.broadcast(SPECIES, a[ai]);
                c0 = av.fma(FloatVector.fromArray(SPECIES, b, bi), c0);
                c1 = av.fma(FloatVector.fromArray(SPECIES, b, bi + VL), c1);
                c2 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 2 * VL), c2);
                c3 = av.fma(FloatVector.fromArray(SPECIES, b, bi + 3 * VL), c3);
            }
            c0.intoArray(c, cRow + j);
            c1.intoArray(c, cRow + j + VL);
            c2.intoArray(c, cRow + j + 2 * VL);
            c3.intoArray(c, cRow + j + 3 * VL);
        }
        for (; j + VL <= j1; j += VL) {
            FloatVector c0 = FloatVector.fromArray(SPECIES, c, cRow + j);
            for (int p = p0, ai = aIdx, bi = bRow + j; p < p1; p++, ai += ks, bi += ldb) {
                c0 = FloatVector.broadcast(SPECIES, a[ai]).fma(FloatVector.fromArray(SPECIES, b, bi), c0);
            }
            c0.intoArray(c, cRow + j);
        }
        for (; j < j1; j++) {
            float acc = store ? 0f : c[cRow + j];
            for (int p = p0, ai = aIdx, bi = bRow + j; p < p1; p++, ai += ks, bi += ldb) {
                acc = Math.fma(a[ai], b[bi], acc);
            }
            c[cRow + j] = acc;
        }
    }

    private static void tileFromC(float[] tile, float[] c, int cIdx, int ldc, int rows, int cols) {
        java.util.Arrays.fill(tile, 0f);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(c, cIdx + r * ldc, tile, r * NR, cols);
        }
    }

    private static void tileToC(float[] tile, float[] c, int cIdx, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * NR, c, cIdx + r * ldc, cols);
        }
    }

    private static void scale(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1, float beta) {
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * ldc;
            for (int j = j0; j < j1; j++) {
                c[ci + j] = beta == 0f ? 0f : beta * c[ci + j];
            }
        }
    }

    /**
     * Rows of C per block for this call: the tuned variant when op(A) is A, read at depth stride
     * 1; always 6 for Aᵀ (a weight gradient), whose depth stride is a variable: fourteen row
     * addresses plus that stride outgrow the registers (measured, Intel Xeon family 6 model 167:
     * a weight-gradient product, 576 × 64 × 4608 on two threads, took 6.5 ms with 14 rows against
     * 3.3 ms with 6, while 14 rows was the faster variant on the untransposed products).
     */
    private int rowsFor(Operands ops) {
        return ops.transA ? MR : mr;
    }

    /**
     * One block of {@code rows} ≤ {@code variant} rows of C: the micro-kernel with that many rows
     * ({@link VectorGemmRows6} or, A untransposed only, {@link VectorGemmRows14}), with A's depth
     * stride 1 or any ({@code ks}; a whole block of Aᵀ, rows adjacent, takes the kernel that reads
     * them from one index), storing or accumulating. Never the data picks the kernel.
     */
    private static void micro(int variant, boolean store, boolean unit, int ks, int kb, float[] a, int aIdx, int rs, int rows,
                              float[] pb, int bIdx, int bs, float[] c, int cIdx, int ldc) {
        if (variant == VectorGemmRows14.MR) {
            if (store) {
                VectorGemmRows14.microStoreUnitDepth(kb, a, aIdx, rs, rows, pb, bIdx, bs, c, cIdx, ldc);
            } else {
                VectorGemmRows14.microAccumulateUnitDepth(kb, a, aIdx, rs, rows, pb, bIdx, bs, c, cIdx, ldc);
            }
        } else if (!unit && rs == 1 && rows == variant) {
            // a whole block of Aᵀ: its rows are adjacent
            if (store) {
                VectorGemmRows6.microStoreAdjacent(kb, a, aIdx, ks, pb, bIdx, bs, c, cIdx, ldc);
            } else {
                VectorGemmRows6.microAccumulateAdjacent(kb, a, aIdx, ks, pb, bIdx, bs, c, cIdx, ldc);
            }
        } else if (store) {
            if (unit) {
                VectorGemmRows6.microStoreUnitDepth(kb, a, aIdx, rs, rows, pb, bIdx, bs, c, cIdx, ldc);
            } else {
                VectorGemmRows6.microStore(kb, a, aIdx, rs, ks, rows, pb, bIdx, bs, c, cIdx, ldc);
            }
        } else if (unit) {
            VectorGemmRows6.microAccumulateUnitDepth(kb, a, aIdx, rs, rows, pb, bIdx, bs, c, cIdx, ldc);
        } else {
            VectorGemmRows6.microAccumulate(kb, a, aIdx, rs, ks, rows, pb, bIdx, bs, c, cIdx, ldc);
        }
    }

    /** The operands of one call and how to read op(A) and op(B) from them. */
    private static final class Operands {
        private boolean transA;
        private boolean transB;
        private float[] a;
        private int aOff;
        private int lda;
        private float[] b;
        private int bOff;
        private int ldb;

        Operands set(boolean transA, boolean transB, float[] a, int aOff, int lda, float[] b, int bOff, int ldb) {
            this.transA = transA;
            this.transB = transB;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            return this;
        }

        float[] a() {
            return a;
        }

        /** Index of op(A)(i, p) in {@code a}. */
        int aIndex(int i, int p) {
            return transA ? aOff + p * lda + i : aOff + i * lda + p;
        }

        /** Distance in {@code a} between op(A)(i, p) and op(A)(i + 1, p). */
        int rowStride() {
            return transA ? 1 : lda;
        }

        /** Distance in {@code a} between op(A)(i, p) and op(A)(i, p + 1). */
        int depthStride() {
            return transA ? lda : 1;
        }

        /** Packs alpha·op(B)[p0:p0+kb, j0:j0+nb] as NR-column panels, each laid out k-major (kb × NR), zero-padded. */
        void packB(float[] pb, int p0, int kb, int j0, int nb, float alpha) {
            int dst = 0;
            for (int js = 0; js < nb; js += NR) {
                int cols = Math.min(NR, nb - js);
                if (transB) {
                    // op(B)(p, j) = b[j·ldb + p]
                    for (int j = 0; j < cols; j++) {
                        int src = bOff + (j0 + js + j) * ldb + p0;
                        for (int p = 0, d = dst + j; p < kb; p++, d += NR) {
                            pb[d] = alpha * b[src + p];
                        }
                    }
                    for (int j = cols; j < NR; j++) {
                        for (int p = 0, d = dst + j; p < kb; p++, d += NR) {
                            pb[d] = 0f;
                        }
                    }
                } else {
                    int src = bOff + p0 * ldb + j0 + js;
                    for (int p = 0; p < kb; p++, src += ldb) {
                        int d = dst + p * NR;
                        if (alpha == 1f) {
                            System.arraycopy(b, src, pb, d, cols);
                        } else {
                            for (int j = 0; j < cols; j++) {
                                pb[d + j] = alpha * b[src + j];
                            }
                        }
                        if (cols < NR) {
                            java.util.Arrays.fill(pb, d + cols, d + NR, 0f);
                        }
                    }
                }
                dst += kb * NR;
            }
        }
    }

    /** Per-thread buffers, grown on demand and kept for the next call. */
    private static final class Workspace {
        float[] packB = new float[0];
        float[] partial = new float[0];
        final float[] tile = new float[Math.max(MR, VectorGemmRows14.MR) * NR];
        /** What {@link #pretouch} read, XORed; never used otherwise. */
        int sink;

        void ensurePack(int bSize) {
            if (packB.length < bSize) {
                packB = new float[bSize];
            }
        }

        void ensurePartial(int size) {
            if (partial.length < size) {
                partial = new float[size];
            }
        }
    }
}
