// Like a gcc plugin: a shared object built with HOSTCXX that the compiler dlopen()s.
#include <numeric>
#include <vector>

extern "C" int plugin_is_GPL_compatible;
int plugin_is_GPL_compatible;

extern "C" long plugin_sum(int n) {
	std::vector<long> v(n);
	std::iota(v.begin(), v.end(), 1);
	return std::accumulate(v.begin(), v.end(), 0L);
}
