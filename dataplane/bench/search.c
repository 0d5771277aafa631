/* SPDX-License-Identifier: BSD-3-Clause
 *
 * search.c - what nfv-bench does for one frame size: one measurement
 * trial, or the RFC 2544 zero-loss search.
 *
 * The search (RFC 2544 section 26.1, with a binary search as RFC 8219
 * and most testers do): try --max-rate; if it passes, that is the
 * answer.  Otherwise keep a bracket [lo, hi] of a passing and a failing
 * rate and halve it until it is no wider than --precision.  A trial
 * passes when the frames lost or refused are at most --loss-tolerance
 * percent of those the generator tried to send.  The best passing rate
 * is then run again for --verify-time; if that fails, the rate steps
 * down by the precision and is verified again (at most three times).
 * The throughput reported is what the final trial really offered.
 * Main thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/bench/bench.h"

#define NFVB_VERIFY_STEPS 3

static int
nfvb_trial_add(struct nfvb_ctx *c, struct nfvb_traffic *t,
	       struct nfvb_result *res, const struct nfvb_trial_cfg *tc,
	       struct nfvb_trial **out)
{
	struct nfvb_trial *tr;
	int rc;

	tr = realloc(res->trials, (res->n_trials + 1) * sizeof(*tr));
	if (tr == NULL)
		return -ENOMEM;
	res->trials = tr;
	tr = &res->trials[res->n_trials];
	rc = nfvb_trial_run(c, t, tc, tr);
	if (rc < 0 && rc != -EINTR)
		return rc;
	res->n_trials++;
	if (!tr->closed_loop) {
		tr->has_pass = true;
		tr->pass = nfvb_trial_loss_pct(tr) <= c->o->loss_tol;
	}
	if (!c->o->quiet)
		nfvb_report_trial(c, tr);
	*out = tr;
	return rc;
}

static int
nfvb_search(struct nfvb_ctx *c, struct nfvb_traffic *t,
	    struct nfvb_result *res)
{
	const struct nfvb_opts *o = c->o;
	double max = nfvb_rate_pps(&o->max_rate, t->mean_size, o->line_gbps);
	double min = nfvb_rate_pps(&o->min_rate, t->mean_size, o->line_gbps);
	double prec, lo, hi, best = 0;
	struct nfvb_trial_cfg tc = {
		.kind = "search",
		.duration = o->trial_time,
		.warmup = o->warmup,
	};
	struct nfvb_trial *tr;
	int rc, i;

	/* A percentage precision is a share of the highest rate. */
	if (o->precision.kind == NFVB_RATE_PCT)
		prec = max * o->precision.v / 100;
	else
		prec = nfvb_rate_pps(&o->precision, t->mean_size, o->line_gbps);
	if (min >= max) {
		fprintf(stderr, "nfv-bench: --min-rate is not below --max-rate\n");
		return -EINVAL;
	}

	tc.rate_pps = max;
	rc = nfvb_trial_add(c, t, res, &tc, &tr);
	if (rc < 0)
		return rc;
	if (tr->pass) {
		best = max;
		lo = hi = max;
	} else {
		lo = min;
		hi = max;
	}
	while (hi - lo > prec) {
		tc.rate_pps = (lo + hi) / 2;
		rc = nfvb_trial_add(c, t, res, &tc, &tr);
		if (rc < 0)
			return rc;
		if (tr->pass) {
			lo = tc.rate_pps;
			best = lo;
		} else {
			hi = tc.rate_pps;
		}
	}
	if (best == 0 && min > 0) {
		tc.rate_pps = min;
		rc = nfvb_trial_add(c, t, res, &tc, &tr);
		if (rc < 0)
			return rc;
		if (tr->pass)
			best = min;
	}
	if (best == 0) {
		res->found = false;
		res->final = -1;
		return 0;
	}
	res->found = true;
	res->final = -1;
	for (i = 0; i < (int)res->n_trials; i++)
		if (res->trials[i].pass &&
		    res->trials[i].requested_pps == best)
			res->final = i;

	tc.kind = "verify";
	tc.duration = o->verify_time;
	for (i = 0; o->verify_time > 0 && i < NFVB_VERIFY_STEPS; i++) {
		tc.rate_pps = best;
		rc = nfvb_trial_add(c, t, res, &tc, &tr);
		if (rc < 0)
			return rc;
		res->final = (int)res->n_trials - 1;
		if (tr->pass)
			break;
		best -= prec;
		if (best <= min || best <= 0)
			break;
	}
	res->found = res->trials[res->final].pass;
	return 0;
}

int
nfvb_run_size(struct nfvb_ctx *c, unsigned int size, struct nfvb_result *res)
{
	const struct nfvb_opts *o = c->o;
	struct nfvb_traffic t;
	struct nfvb_trial *tr;
	char err[256];
	int rc;

	memset(res, 0, sizeof(*res));
	res->size = size;
	res->final = -1;
	rc = nfvb_traffic_build(&t, o, c->n_ports, size, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "nfv-bench: size %u: %s\n", size, err);
		return rc;
	}
	res->mean_size = t.mean_size;
	if (o->mode == NFVB_MODE_RFC2544) {
		rc = nfvb_search(c, &t, res);
	} else {
		struct nfvb_trial_cfg tc = {
			.kind = "measure",
			.duration = o->duration,
			.warmup = o->warmup,
			.rate_pps = nfvb_rate_pps(&o->rate, t.mean_size,
						  o->line_gbps),
		};

		rc = nfvb_trial_add(c, &t, res, &tc, &tr);
		if (rc == 0 || rc == -EINTR) {
			res->final = (int)res->n_trials - 1;
			res->found = true;
		}
	}
	if (res->final >= 0) {
		const struct nfvb_trial *f = &res->trials[res->final];

		/* Closed loop: what comes back is the measure. */
		res->throughput_pps = f->closed_loop ? nfvb_trial_rx_pps(f) :
						       nfvb_trial_offered_pps(f);
		res->throughput_bps = f->closed_loop ? nfvb_trial_rx_bps(f) :
						       nfvb_trial_offered_bps(f);
		res->gen_limited = f->gen_limited;
	}
	nfvb_traffic_free(&t);
	return rc;
}

void
nfvb_result_free(struct nfvb_result *res)
{
	free(res->trials);
	res->trials = NULL;
	res->n_trials = 0;
}
