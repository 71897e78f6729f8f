/* Like kbuild's fixdep: read a dependency file, print each prerequisite once per line. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
	char word[4096];
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	int n = 0;
	if (!f) { perror(argv[1]); return 1; }
	while (fscanf(f, "%4095s", word) == 1) {
		if (strcmp(word, "\\") == 0 || word[strlen(word) - 1] == ':') continue;
		printf("  %s \\\n", word);
		n++;
	}
	printf("# %d prerequisites\n", n);
	return 0;
}
