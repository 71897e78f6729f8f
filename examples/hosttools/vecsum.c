/* A loop compilers vectorise with AVX2 and FMA at -O3 -march=x86-64-v3: the kind of code that
 * passes the loader with no note and then dies with SIGILL on an x86-64-v2 CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static double dot(const double *a, const double *b, int n) {
	double s = 0;
	for (int i = 0; i < n; i++) s = fma(a[i], b[i], s);
	return s;
}

__attribute__((noinline)) static void scale(float *restrict a, const float *restrict b, int n) {
	for (int i = 0; i < n; i++) a[i] = a[i] * 2.0f + b[i];
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	for (int i = 0; i < n; i++) { a[i] = i; b[i] = 0.5; x[i] = (float)i; y[i] = 1.0f; }
	scale(x, y, n);
	printf("dot=%.1f scale[3]=%.1f\n", dot(a, b, n), x[3]);
	return 0;
}
