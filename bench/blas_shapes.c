// One thread's SGEMM at the shapes AEKit's CPU backend calls, for one BLAS library: the
// program is linked once against OpenBLAS and once against BLIS (scripts/bench-blas), and
// each prints one line per shape: "label m n k transA transB median_ms gflops".
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct shape { const char *label; int m, n, k, ta, tb; };

// From `aekit bench train --profile` (dense layers) and the convolutions' lowering
// (CPUBackend+Convolution.swift: [Cout, K] x [K, samples·P]).
static const struct shape shapes[] = {
    {"S2 dense-512 forward 1", 1000, 512, 784, 0, 1},
    {"S2 dense-512 forward 2", 1000, 784, 512, 0, 1},
    {"S2 dense-512 data grad", 1000, 512, 784, 0, 0},
    {"S2 dense-512 weight grad", 512, 784, 1000, 1, 0},
    {"S4 linear 800->64", 100, 64, 800, 0, 1},
    {"S4 linear weight grad", 64, 800, 100, 1, 0},
    {"S4 conv 16->32 forward", 32, 847, 144, 0, 0},
    {"S4 conv 16->32 weights", 32, 144, 847, 0, 1},
    {"S4 conv 16->32 data", 144, 847, 32, 1, 0},
    {"S4 conv 1->16 forward", 16, 14196, 9, 0, 0},
    {"S1 conv 16->8 forward", 8, 784, 144, 0, 0},
    {"S1 conv 8->16 forward", 16, 1764, 72, 0, 0},
    {"S1 conv 16->1 forward", 1, 5488, 144, 0, 0},
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    enum { repeats = 21 };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const struct shape h = shapes[s];
        float *a = malloc(sizeof(float) * h.m * h.k), *b = malloc(sizeof(float) * h.k * h.n);
        float *c = malloc(sizeof(float) * h.m * h.n);
        for (int i = 0; i < h.m * h.k; i++) a[i] = (float)(i % 17) / 17 - 0.5f;
        for (int i = 0; i < h.k * h.n; i++) b[i] = (float)(i % 13) / 13 - 0.5f;
        double times[repeats];
        // Short shapes repeat inside one sample so each sample lasts ~1 ms or more.
        const double flops = 2.0 * h.m * h.n * h.k;
        const int inner = flops < 2e7 ? (int)(2e7 / flops) + 1 : 1;
        for (int r = -2; r < repeats; r++) {
            double start = now();
            for (int i = 0; i < inner; i++) {
                cblas_sgemm(CblasRowMajor, h.ta ? CblasTrans : CblasNoTrans, h.tb ? CblasTrans : CblasNoTrans,
                            h.m, h.n, h.k, 1, a, h.ta ? h.m : h.k, b, h.tb ? h.k : h.n, 0, c, h.n);
            }
            if (r >= 0) times[r] = (now() - start) / inner;
        }
        qsort(times, repeats, sizeof times[0], by_value);
        const double median = times[repeats / 2];
        printf("%s\t%d\t%d\t%d\t%s%s\t%.4f\t%.1f\n", h.label, h.m, h.n, h.k, h.ta ? "T" : "N", h.tb ? "T" : "N",
               median * 1e3, flops / median * 1e-9);
        free(a); free(b); free(c);
    }
    return 0;
}
