// SPDX-License-Identifier: GPL-2.0
/*
 * pvops-workload: what a backend changes for programs, for the benchmark.
 *
 *   pvops-workload clock ROUNDS CALLS
 *       clock_gettime(CLOCK_MONOTONIC) CALLS times per round: ns per call,
 *       over ROUNDS rounds, the clock source's name as the variant (the
 *       vDSO reads the TSC where the clock source allows it; pvops-clock's
 *       has no vDSO mode, so every call is a system call there)
 *   pvops-workload nanosleep HZ SECONDS
 *       sleep 1/HZ with clock_nanosleep, again and again: how late each
 *       wake-up is, in us
 *   pvops-workload timerfd HZ SECONDS
 *       a periodic CLOCK_MONOTONIC timerfd at HZ: how late each read
 *       returns after the expiry it reports, in us, and how many expiries
 *       were missed (counted by the timerfd beyond one per read)
 *   pvops-workload timeline HZ SECONDS [NICE]
 *       load and a witness at once, for a CPU whose machine moves under
 *       it (a migration): reads CLOCK_MONOTONIC in a busy loop for
 *       SECONDS, counting steps backwards and the longest gap between two
 *       reads (time the task saw pass without running), and polls a
 *       periodic timerfd at HZ: its expiries must keep up with the clock
 *       (a CPU whose timer stopped delivers none), one
 *       "workload: timeline ..." line; exit 1 if time went backwards or
 *       the timer fell behind.  SIGTERM ends it early, as if SECONDS had
 *       passed (load for as long as something else lasts); NICE (0-19)
 *       makes it load that yields to the work it watches
 *
 * Each prints "workload: figure op=O variant=V unit=U median=M p10=P
 * p90=Q n=N" lines (nearest-rank percentiles, as pvhyp_bench) that
 * tests/rig/bench.py reads.  Exit status 0, or 1 with a reason on stderr;
 * 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/timerfd.h>

#define NSEC_PER_SEC 1000000000LL
#define CLOCK_SOURCE_FILE \
	"/sys/devices/system/clocksource/clocksource0/current_clocksource"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, long n, int pct)
{
	long rank = (n * pct + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

static void report(const char *op, const char *variant, const char *unit, double *s, long n)
{
	qsort(s, n, sizeof(*s), cmp_double);
	printf("workload: figure op=%s variant=%s unit=%s median=%.3f p10=%.3f p90=%.3f n=%ld\n",
	       op, variant, unit, percentile(s, n, 50), percentile(s, n, 10),
	       percentile(s, n, 90), n);
}

static long arg(const char *text, long min, long max, const char *what)
{
	char *end;
	long v = strtol(text, &end, 0);

	if (*end || end == text || v < min || v > max) {
		fprintf(stderr, "pvops-workload: %s '%s': want %ld to %ld\n", what, text, min, max);
		exit(2);
	}
	return v;
}

/* The clock source the calls read, named as sysfs names it. */
static void clock_source_name(char *name, size_t size)
{
	FILE *f = fopen(CLOCK_SOURCE_FILE, "r");

	snprintf(name, size, "unknown");
	if (f) {
		if (fgets(name, size, f))
			name[strcspn(name, "\n")] = 0;
		fclose(f);
	}
}

static int run_clock(long rounds, long calls)
{
	double *s = calloc(rounds, sizeof(*s));
	struct timespec ts;
	char source[64];
	long r, i;

	if (!s)
		return 1;
	clock_source_name(source, sizeof(source));
	for (r = 0; r < rounds; r++) {
		long long t0 = now_ns();

		for (i = 0; i < calls; i++)
			clock_gettime(CLOCK_MONOTONIC, &ts);
		s[r] = (double)(now_ns() - t0) / calls;
	}
	report("clock_gettime", source, "ns", s, rounds);
	free(s);
	return 0;
}

static int run_nanosleep(long hz, long seconds)
{
	long n = hz * seconds, i;
	struct timespec period = { .tv_nsec = NSEC_PER_SEC / hz };
	double *s = calloc(n, sizeof(*s));
	char op[32];

	if (!s)
		return 1;
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		if (clock_nanosleep(CLOCK_MONOTONIC, 0, &period, NULL)) {
			fprintf(stderr, "pvops-workload: clock_nanosleep failed\n");
			return 1;
		}
		s[i] = (double)(now_ns() - t0 - period.tv_nsec) / 1000;
	}
	snprintf(op, sizeof(op), "nanosleep_%ldhz", hz);
	report(op, "wake_latency", "us", s, n);
	free(s);
	return 0;
}

static int run_timerfd(long hz, long seconds)
{
	long long period = NSEC_PER_SEC / hz, start, expiries = 0;
	long max_reads = hz * seconds, reads = 0;
	double *s = calloc(max_reads, sizeof(*s)), missed;
	struct itimerspec its = { 0 };
	char op[32];
	int fd;

	if (!s)
		return 1;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pvops-workload: timerfd_create: %s\n", strerror(errno));
		return 1;
	}
	start = now_ns() + period;
	its.it_value.tv_sec = start / NSEC_PER_SEC;
	its.it_value.tv_nsec = start % NSEC_PER_SEC;
	its.it_interval.tv_nsec = period;
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL)) {
		fprintf(stderr, "pvops-workload: timerfd_settime: %s\n", strerror(errno));
		return 1;
	}
	while (expiries < max_reads) {
		unsigned long long count;

		if (read(fd, &count, sizeof(count)) != sizeof(count)) {
			fprintf(stderr, "pvops-workload: timerfd read: %s\n", strerror(errno));
			return 1;
		}
		expiries += count;
		/* The latest expiry this read reports was at start + (expiries - 1) periods. */
		s[reads++] = (double)(now_ns() - start - (expiries - 1) * period) / 1000;
	}
	close(fd);
	snprintf(op, sizeof(op), "timerfd_%ldhz", hz);
	report(op, "wake_latency", "us", s, reads);
	missed = expiries - reads;
	printf("workload: figure op=%s variant=missed unit=expiries ", op);
	printf("median=%.0f p10=%.0f p90=%.0f n=1 count=%lld\n", missed, missed, missed, expiries);
	free(s);
	return 0;
}

/* Set by SIGTERM's handler; atomic accesses, so the loop sees it. */
static int timeline_stop;

static void timeline_on_term(int sig)
{
	__atomic_store_n(&timeline_stop, 1, __ATOMIC_RELAXED);
}

static int run_timeline(long hz, long seconds)
{
	long long period = NSEC_PER_SEC / hz, start, end, prev, t, gap, max_gap = 0;
	long long expiries = 0, expected;
	long deliveries = 0, backwards = 0;
	struct itimerspec its = { 0 };
	unsigned long long count;
	int fd, cpu = sched_getcpu();

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "pvops-workload: timerfd_create: %s\n", strerror(errno));
		return 1;
	}
	start = now_ns();
	its.it_value.tv_sec = (start + period) / NSEC_PER_SEC;
	its.it_value.tv_nsec = (start + period) % NSEC_PER_SEC;
	its.it_interval.tv_nsec = period;
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL)) {
		fprintf(stderr, "pvops-workload: timerfd_settime: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGTERM, timeline_on_term);
	end = start + seconds * NSEC_PER_SEC;
	for (prev = start; prev < end && !__atomic_load_n(&timeline_stop, __ATOMIC_RELAXED);
	     prev = t) {
		t = now_ns();
		gap = t - prev;
		if (gap < 0)
			backwards++;
		else if (gap > max_gap)
			max_gap = gap;
		if (read(fd, &count, sizeof(count)) == sizeof(count)) {
			expiries += count;
			deliveries++;
		}
	}
	/* What expired by the end and was not read yet. */
	if (read(fd, &count, sizeof(count)) == sizeof(count)) {
		expiries += count;
		deliveries++;
	}
	close(fd);
	expected = (prev - start) / period;
	printf("workload: timeline cpu=%d hz=%ld seconds=%.3f", cpu, hz,
	       (double)(prev - start) / NSEC_PER_SEC);
	printf(" expiries=%lld expected=%lld deliveries=%ld", expiries, expected, deliveries);
	printf(" backwards=%ld max_gap_us=%lld\n", backwards, max_gap / 1000);
	if (backwards) {
		fprintf(stderr, "pvops-workload: CLOCK_MONOTONIC went backwards %ld times\n",
			backwards);
		return 1;
	}
	/*
	 * The timerfd counts the periods its hrtimer skipped, so a late CPU
	 * loses no expiry; one whose timer stopped counts none after it.  A
	 * delivery per four periods at least: a busy host delays, never stops.
	 */
	if (expiries < expected - 1 || deliveries < expected / 4) {
		fprintf(stderr, "pvops-workload: timer behind the clock: %lld expiries, ",
			expiries);
		fprintf(stderr, "%ld deliveries, %lld periods passed\n", deliveries, expected);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "clock"))
		return run_clock(arg(argv[2], 1, 1000, "ROUNDS"),
				 arg(argv[3], 1, 10000000, "CALLS"));
	if (argc == 4 && !strcmp(argv[1], "nanosleep"))
		return run_nanosleep(arg(argv[2], 1, 100000, "HZ"),
				     arg(argv[3], 1, 600, "SECONDS"));
	if (argc == 4 && !strcmp(argv[1], "timerfd"))
		return run_timerfd(arg(argv[2], 1, 100000, "HZ"),
				   arg(argv[3], 1, 600, "SECONDS"));
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "timeline")) {
		errno = 0;
		if (argc == 5 && nice(arg(argv[4], 0, 19, "NICE")) == -1 && errno) {
			fprintf(stderr, "pvops-workload: nice: %s\n", strerror(errno));
			return 1;
		}
		return run_timeline(arg(argv[2], 1, 10000, "HZ"),
				    arg(argv[3], 1, 3600, "SECONDS"));
	}
	fputs("usage: pvops-workload clock ROUNDS CALLS\n"
	      "       pvops-workload nanosleep HZ SECONDS\n"
	      "       pvops-workload timerfd HZ SECONDS\n"
	      "       pvops-workload timeline HZ SECONDS [NICE]\n", stderr);
	return 2;
}
