/* The machine's FMA peak in float, from C intrinsics: the yardstick that `cnn4j bench`'s own
 * Java Vector API loop (FmaPeak) is checked against. THREADS threads each run 12 independent FMA
 * chains in registers (more than FMA latency × pipes on Zen 3–5), best of 5 rounds.
 * Build and run (bench/compare.sh does this when gcc is there):
 *   gcc -O2 -march=native -pthread bench/fma/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak 2
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ISA "avx512f"
static float first(vec v) { return _mm512_cvtss_f32(v); }
#else
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ISA "avx2"
static float first(vec v) { return _mm256_cvtss_f32(v); }
#endif
#define CHAINS 12

static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *chains(void *arg) {
    long iters = *(long *) arg;
    vec a = SET1(0.999999f), b = SET1(1e-6f), c[CHAINS];
    for (int j = 0; j < CHAINS; j++) c[j] = SET1((float) j);
    for (long i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < CHAINS; j++) c[j] = FMA(a, c[j], b);
    }
    float s = 0;
    for (int j = 0; j < CHAINS; j++) s += first(c[j]);
    sink = s;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    if (threads < 1 || threads > 256) { fprintf(stderr, "fma_peak: threads must be 1..256\n"); return 2; }
    long iters = 100000000L;
    pthread_t t[256];
    double best = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, chains, &iters);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double g = threads * (double) iters * CHAINS * LANES * 2 / (now() - t0) / 1e9;
        if (g > best) best = g;
    }
    printf("{\"isa\": \"%s\", \"threads\": %d, \"gflops\": %.1f}\n", ISA, threads, best);
    return 0;
}
