// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the fuzz harness's checks over files given on the command line
 * (the seed corpus), built with gcc and the sanitizers like the unit
 * tests: `make run` does it, so that the harness and the parsers cannot
 * drift apart unnoticed between fuzzing sessions, which need clang.
 */
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *copy;
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		/* An exact-size copy, as libFuzzer hands over. */
		copy = malloc(n ? n : 1);
		if (!copy)
			return 1;
		for (size_t k = 0; k < n; k++)
			copy[k] = buf[k];
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	printf("fuzz_replay: %d inputs, all invariants hold\n", argc - 1);
	return 0;
}
