/* Leiden community detection, ported from igraph's community/leiden.c (cores 0.10
 * and 1.0) for undirected graphs, keeping igraph's visiting order and floating-point
 * operation order so results are bit-identical.
 *
 * Each level is an az_level (igraph_incidence.h): incidences stored in
 * igraph's order, repeated ones once with a multiplicity. */
#include "igraph_leiden.h"

#include "igraph_incidence.h"

#include "az_alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* A cluster's weight and, while a vertex is looked at, the vertex's edge
 * weight to it, side by side: fast-move and the refinement read both for every
 * neighbouring cluster, from one cache line. */
typedef struct {
    double ew, w;
} az_cl;

/* A vertex's cluster and its position among the cluster's vertices. */
typedef struct {
    int32_t memb, pos;
} az_mpos;

/* Storage for the aggregated levels, kept across levels and iterations (fresh
 * memory costs a page fault per page): level k + 1 is built in store k % 2
 * while level k, its input, lives in the other one. */
typedef struct {
    int64_t *off;
    int32_t *nbr;
    double *w, *vw;
    int64_t ncap, mcap; /* vertices and incidences the arrays hold */
} az_store;

/* Scratch space sized by the input vertex count, shared by all levels (the
 * aggregated graphs never have more vertices). */
typedef struct {
    int32_t n0;
    int32_t *memb0;   /* membership of the input graph */
    int32_t *memb_a, *memb_b; /* memberships of aggregated levels */
    int32_t *aggv;    /* aggregate vertex of each input vertex */
    int32_t *refined;
    int32_t *order;   /* shuffled vertices; doubles as the fast-move queue */
    int32_t *neigh;   /* neighbouring clusters */
    int32_t *stack;   /* empty clusters */
    int32_t *count;   /* vertices per cluster; reindex scratch */
    int32_t *verts;   /* vertices grouped by cluster */
    int64_t *start;   /* group boundaries, n0 + 2 */
    az_cl *cl;        /* cluster weights; ew kept zero between uses (8 scratch
                       * slots past n for aggregate_mult()) */
    double *ext;      /* external edge weight per refined cluster */
    int32_t *lref;    /* refined labels by position in the refined cluster */
    double *cum;      /* cumulative transformed differences */
    uint8_t *stable, *added, *nonsingleton, *wconn;
    int64_t *pos;     /* aggregation: fill positions */
    int32_t *lower;   /* aggregation: lower neighbours of each vertex */
    char *arena;      /* the block holding all n0-sized arrays above */
    az_store store[2];
    az_mpos *mpos;    /* cluster_positions() */
    int32_t *labs;    /* fast-move: labels of one vertex's neighbours (max degree) */
} az_work;


/* Phase times (see AZ_PHASE_SETUP): lap() adds the time since the previous lap
 * to a phase. Wall time where the monotonic clock exists, else processor time. */
typedef struct {
    double *phases;
    double mark;
} az_timer;

static double seconds_now(void) {
#if defined(CLOCK_MONOTONIC)
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#else
    return (double)clock() / CLOCKS_PER_SEC;
#endif
}

static void lap(az_timer *t, int phase) {
    const double now = seconds_now();
    t->phases[phase] += now - t->mark;
    t->mark = now;
}

/* sum + x + x + ... (times >= 1 additions, in order): one incidence stored
 * with multiplicity `times`. One and two (aggregated levels, symmetric input)
 * take no loop. */
static inline double add_times(double sum, double x, int32_t times) {
    int32_t r;
    sum += x;
    if (times == 1) return sum;
    sum += x;
    for (r = 2; r < times; r++) sum += x;
    return sum;
}

/* cond ? -x : x without a branch (negation only flips the sign bit). */
static inline double negate_if(double x, int cond) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof(bits));
    bits ^= (uint64_t)(cond != 0) << 63;
    memcpy(&x, &bits, sizeof(bits));
    return x;
}

/* Vertex strength ignoring loops: every edge adds to its "from" end first, then
 * a second pass adds to the "to" ends.
 * mirrors igraph_i_strength_all() in igraph properties/degrees.c from core
 * 0.10.12 (strength_all() in 1.0; mode ALL, loops false) */
static void strength_no_loops(const az_edge_graph *g, double *s) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    int64_t v, e, row;
    for (v = 0; v < n; v++) s[v] = 0.0;
    for (e = 0, row = 0; e < m; e++) {
        const int64_t a = az_edge_source(g, e, &row), c = az_edge_target(g, e);
        if (c != a) s[a > c ? a : c] += az_edge_weight(g, e);
    }
    for (e = 0, row = 0; e < m; e++) {
        const int64_t a = az_edge_source(g, e, &row), c = az_edge_target(g, e);
        if (c != a) s[a > c ? c : a] += az_edge_weight(g, e);
    }
}

/* Vertex strength ignoring loops, each vertex's incidences summed in the
 * order its list holds them (a stored incidence mult times).
 * mirrors igraph_strength() in igraph properties/degrees.c up to core 0.10.10
 * (mode ALL, loops false): igraph_incident() per vertex */
static void strength_by_vertex(const az_level *L, double *s) {
    int32_t v;
    for (v = 0; v < L->n; v++) {
        double sum = 0.0;
        int64_t p;
        for (p = L->off[v]; p < L->off[v + 1]; p++) {
            if (L->nbr[p] != v) sum = add_times(sum, level_weight(L, p, L->w32 != NULL), L->mult);
        }
        s[v] = sum;
    }
}

/* strength_no_loops() of a symmetric matrix with sorted rows (the level is its
 * rows, see az_level_from_edges()), from row x alone: the first pass gives x
 * the weights of its lower neighbours in ascending order from rows u < x, then
 * the same weights again from row x; the second pass those of its upper
 * neighbours from row x, then again from rows u > x. */
static void strength_symmetric_sorted(const az_level *L, double *s) {
    int32_t x;
    for (x = 0; x < L->n; x++) {
        const int64_t begin = L->off[x], end = L->off[x + 1];
        int64_t mid = begin, p;
        double sum = 0.0;
        int copy;
        while (mid < end && L->nbr[mid] < x) mid++;
        for (copy = 0; copy < 2; copy++) {
            for (p = begin; p < mid; p++) sum += level_weight(L, p, L->w32 != NULL);
        }
        if (mid < end && L->nbr[mid] == x) mid++; /* the loop */
        for (copy = 0; copy < 2; copy++) {
            for (p = mid; p < end; p++) sum += level_weight(L, p, L->w32 != NULL);
        }
        s[x] = sum;
    }
}

/* Relabels clusters 0.. in order of first occurrence; labels are in [0, n).
 * mirrors igraph_reindex_membership() in community/community_misc.c */
static int32_t reindex_membership(int32_t *memb, int32_t n, int32_t *scratch) {
    int32_t i, next = 1;
    memset(scratch, 0, (size_t)n * sizeof(int32_t));
    for (i = 0; i < n; i++) {
        if (scratch[memb[i]] == 0) scratch[memb[i]] = next++;
    }
    for (i = 0; i < n; i++) memb[i] = scratch[memb[i]] - 1;
    return next - 1;
}

/* Groups vertices by label (k labels), ascending vertex id within a group:
 * group c is verts[start[c] .. start[c + 1]).
 * mirrors leiden_get_clusters() */
static void group_by_label(const int32_t *lab, int32_t n, int32_t k, int64_t *start,
                           int32_t *verts) {
    int32_t i, c;
    memset(start, 0, ((size_t)k + 2) * sizeof(int64_t));
    for (i = 0; i < n; i++) start[lab[i] + 2]++;
    for (c = 0; c < k; c++) start[c + 2] += start[c + 1];
    for (i = 0; i < n; i++) verts[start[lab[i] + 1]++] = i;
}

/* Position k places after i in a circular queue of n. */
static inline int32_t ring_ahead(int32_t i, int32_t k, int32_t n) {
    i += k;
    while (i >= n) i -= n;
    return i;
}

/* mirrors leiden_fastmove_vertices() in igraph community/leiden.c */
AZ_PER_MULT int fastmove_vertices_mult(const az_level *L, int32_t *memb, double res,
                                      az_work *w, az_rng *rng, az_interrupt *intr,
                                      int32_t *nb_clusters, int *changed, const int runs,
                                      const int32_t mult, const int f32) {
    const int32_t n = L->n;
    const int32_t *nbr = L->nbr;
    const double *vw = L->vw;
    az_cl *cl = w->cl;
    int32_t *queue = w->order, *neigh = w->neigh, *stack = w->stack, *count = w->count;
    uint8_t *stable = w->stable, *added = w->added;
    int32_t i, c, head = 0, tail = 0, queued = n, top = 0;

    memset(stable, 0, (size_t)n);
    for (i = 0; i < n; i++) queue[i] = i;
    az_rng_shuffle(rng, queue, n);

    for (c = 0; c < n; c++) {
        cl[c].w = 0.0;
        count[c] = 0;
    }
    for (i = 0; i < n; i++) {
        cl[memb[i]].w += vw[i];
        count[memb[i]] += 1;
    }
    for (c = 0; c < n; c++) {
        if (count[c] == 0) stack[top++] = c;
    }

    while (queued > 0) {
        const int32_t v = queue[head];
        const int32_t current = memb[v];
        const int64_t begin = L->off[v], end = L->off[v + 1];
        int64_t p;
        int32_t best, nn;
        double max_diff;

        if (++head == n) head = 0;
        queued--;
        /* the queue's next vertices are known: start loading what they read, each
         * stage a step ahead of the one it depends on (past the queued ones the
         * slots hold stale vertex ids, harmless to prefetch) */
        if (queued > 0) {
            const int32_t next = queue[head], after = queue[ring_ahead(head, 1, n)];
            const int32_t next_cluster = memb[next];
            AZ_PREFETCH(&cl[next_cluster].w);
            AZ_PREFETCH(&count[next_cluster]);
            AZ_PREFETCH(&memb[after]);
            AZ_PREFETCH(&vw[after]);
            az_level_prefetch(L, queue[ring_ahead(head, 2, n)], f32);
            AZ_PREFETCH(&L->off[queue[ring_ahead(head, 3, n)]]);
        }

        cl[current].w -= vw[v];
        if (--count[current] == 0) stack[top++] = current;

        /* the topmost empty cluster is always a candidate */
        c = stack[top - 1];
        neigh[0] = c;
        added[c] = 1;
        nn = 1;
        /* new clusters are appended without a branch (the predictor would miss
         * often): the slot past the list is always written, and kept only for a
         * cluster not yet added (neigh has room for n + 1) */
        if (!runs) {
            /* the neighbours' labels first, all loads independent, so their
             * misses overlap; then the sums (labs holds any vertex's list:
             * aggregated levels have no parallel edges, see az_leiden()) */
            int32_t *lab = w->labs;
            for (p = begin; p < end; p++) lab[p - begin] = memb[nbr[p]];
            for (p = begin; p < end; p++) {
                if (nbr[p] != v) {
                    c = lab[p - begin];
                    neigh[nn] = c;
                    nn += !added[c];
                    added[c] = 1;
                    cl[c].ew = add_times(cl[c].ew, level_weight(L, p, f32), mult);
                }
            }
        } else {
            /* neighbours often come in runs of one cluster: a run's sum stays in
             * a register instead of making each addition wait for the store of
             * the previous one (same additions, same order) */
            int32_t run_c = c;
            double run = cl[c].ew;
            for (p = begin; p < end; p++) {
                if (nbr[p] != v) {
                    c = memb[nbr[p]];
                    if (c != run_c) {
                        cl[run_c].ew = run;
                        neigh[nn] = c;
                        nn += !added[c];
                        added[c] = 1;
                        run_c = c;
                        run = cl[c].ew;
                    }
                    run = add_times(run, level_weight(L, p, f32), mult);
                }
            }
            cl[run_c].ew = run;
        }

        best = current;
        max_diff = cl[current].ew;
        max_diff -= vw[v] * cl[current].w * res;
        for (i = 0; i < nn; i++) {
            double diff;
            c = neigh[i];
            diff = cl[c].ew;
            diff -= vw[v] * cl[c].w * res;
            /* strict improvement only, as igraph */
            if (diff > max_diff) {
                best = c;
                max_diff = diff;
            }
            cl[c].ew = 0.0;
            added[c] = 0;
        }

        cl[best].w += vw[v];
        count[best]++;
        if (best == stack[top - 1]) top--;

        stable[v] = 1;
        if (best != current) {
            *changed = 1;
            memb[v] = best;
            /* without a branch on each neighbour, as above: the slot at tail is
             * free (queued vertices are the unstable ones, and v is stable) */
            for (p = begin; p < end; p++) {
                const int32_t u = nbr[p];
                const int32_t requeue = stable[u] & (memb[u] != best);
                queue[tail] = u;
                tail += requeue;
                if (tail == n) tail = 0;
                queued += requeue;
                stable[u] = (uint8_t)(stable[u] & !requeue);
            }
        }
        if (az_interrupt_tick(intr)) return AZ_EINTR;
    }

    *nb_clusters = reindex_membership(memb, n, count);
    return AZ_OK;
}

/* Sums in registers along runs of neighbours in one cluster (see
 * fastmove_vertices_mult()) pay off once clusters are large; while most are
 * singletons, as on the first visit of the input graph, runs are rare and
 * the extra branch only mispredicts. Labels are dense, so max + 1 counts them. */
static int fastmove_vertices(const az_level *L, int32_t *memb, double res, az_work *w,
                             az_rng *rng, az_interrupt *intr, int32_t *nb_clusters,
                             int *changed) {
    int32_t i, max = -1;
    for (i = 0; i < L->n; i++) max = memb[i] > max ? memb[i] : max;
    if (max + 1 <= L->n / 2) {
        return AZ_DISPATCH_LEVEL(L, fastmove_vertices_mult, L, memb, res, w, rng, intr,
                                 nb_clusters, changed, 1);
    }
    return AZ_DISPATCH_LEVEL(L, fastmove_vertices_mult, L, memb, res, w, rng, intr, nb_clusters,
                             changed, 0);
}

/* exp(x) for x below this bound is under half an ulp of total and cannot change
 * total + exp(x) (nonnegative total; an infinite one absorbs everything, x NaN
 * is never below), so the call can be skipped: below 2^(e - 54) with
 * 2^e <= total, the margin of 2 covering exp()'s rounding. */
static inline double negligible_exp_bound(double total) {
    uint64_t bits;
    int e;
    if (isinf(total)) return INFINITY;
    if (!(total > 0.0)) return -INFINITY;
    /* ilogb() read off the exponent field (a call per exp() otherwise);
     * subnormals, without one, still ask ilogb() */
    memcpy(&bits, &total, sizeof(bits));
    e = (int)((bits >> 52) & 0x7ff);
    e = e ? e - 1023 : ilogb(total);
    return (double)(e - 54) * 0.69314718055994530942;
}


/* Each vertex's cluster and position in it (group_by_label()'s order), side by
 * side for the refinement's one load per neighbour, and ext[s], the weight of
 * the vertex in slot s to the rest of its cluster, summed in incidence order:
 * the initial external weights of leiden_merge_vertices(). */
AZ_PER_MULT void cluster_positions_mult(const az_level *L, const int32_t *memb, int32_t k,
                                        az_work *w, const int32_t mult, const int f32) {
    const int64_t *start = w->start;
    const int32_t *verts = w->verts;
    double *ext = w->ext;
    az_mpos *mpos = w->mpos;
    int32_t c, v;
    int64_t s;

    for (c = 0; c < k; c++) {
        for (s = start[c]; s < start[c + 1]; s++) {
            mpos[verts[s]].memb = c;
            mpos[verts[s]].pos = (int32_t)(s - start[c]);
        }
    }
    for (v = 0; v < L->n; v++) {
        const int32_t cluster = memb[v];
        int64_t p;
        double e = 0.0;
        for (p = L->off[v]; p < L->off[v + 1]; p++) {
            const int32_t u = L->nbr[p];
            if (u != v && mpos[u].memb == cluster) e = add_times(e, level_weight(L, p, f32), mult);
        }
        ext[start[cluster] + mpos[v].pos] = e;
    }
}

static void cluster_positions(const az_level *L, const int32_t *memb, int32_t k, az_work *w) {
    AZ_DISPATCH_LEVEL(L, cluster_positions_mult, L, memb, k, w);
}

/* Refines one cluster (its k vertices, ascending) by merging singletons into
 * well-connected refined clusters, chosen at random with probability
 * proportional to exp(diff / beta); refined labels are local indices until the
 * final renumbering from *nb_refined on (leiden_clean_refined_membership()).
 *
 * Only incidences inside the cluster matter: the visits read the level's rows
 * and skip the others (cluster_positions() gives each neighbour's cluster and
 * position in subset; a loop's neighbour is the vertex itself); first is the
 * slot of subset[0]. Reading the rows in place, not a compact copy of the
 * in-cluster incidences, is what keeps the run's peak memory at the graph,
 * the arena and two aggregated levels (not measurably slower).
 * mirrors leiden_merge_vertices() in igraph community/leiden.c */
AZ_PER_MULT int merge_vertices_mult(const az_level *L, int64_t first,
                                    const int32_t *subset, int32_t k, double res, double beta,
                                    az_work *w, az_rng *rng, az_interrupt *intr,
                                    int32_t *nb_refined, const int32_t mult, const int f32) {
    const double *vw = L->vw;
    az_cl *cl = w->cl;
    double *cum = w->cum, *ext = w->ext + first;
    int32_t *refined = w->refined, *order = w->order, *neigh = w->neigh, *newc = w->count;
    int32_t *lref = w->lref;
    const az_mpos *mpos = w->mpos;
    uint8_t *added = w->added, *nonsingleton = w->nonsingleton, *wconn = w->wconn;
    const int32_t cluster = mpos[subset[0]].memb;
    double total = 0.0;
    int32_t i;

    for (i = 0; i < k; i++) {
        const int32_t v = subset[i];
        lref[i] = i;
        cl[i].w = 0.0;
        cl[i].w += vw[v];
        total += vw[v];
        nonsingleton[i] = 0;
    }
    /* Whether each refined cluster is well connected, kept up to date as its
     * weights change (the same test on the same values igraph tests each time
     * the cluster is looked at, so the same outcome) */
    for (i = 0; i < k; i++) wconn[i] = ext[i] >= cl[i].w * (total - cl[i].w) * res;

    /* shuffling positions permutes exactly as shuffling the vertices would */
    for (i = 0; i < k; i++) order[i] = i;
    az_rng_shuffle(rng, order, k);

    for (i = 0; i < k; i++) {
        const int32_t li = order[i], v = subset[li];
        const int32_t current = lref[li];
        const int64_t begin = L->off[v], end = L->off[v + 1];
        int64_t p;
        int32_t j, nn, best, chosen;
        double max_diff, total_cum, negligible;

        /* the next vertices are known: start loading their rows */
        if (i + 1 < k) az_level_prefetch(L, subset[order[i + 1]], f32);
        if (i + 2 < k) AZ_PREFETCH(&L->off[subset[order[i + 2]]]);

        if (az_interrupt_tick(intr)) return AZ_EINTR;
        if (nonsingleton[current] || !wconn[current]) continue;
        cl[current].w = 0.0;
        wconn[current] = ext[current] >= cl[current].w * (total - cl[current].w) * res;

        neigh[0] = current;
        added[current] = 1;
        nn = 1;
        for (p = begin; p < end; p++) {
            const az_mpos mu = mpos[L->nbr[p]];
            if (mu.memb == cluster && mu.pos != li) {
                /* appended without a branch, as in fastmove_vertices_mult() */
                const int32_t c = lref[mu.pos];
                neigh[nn] = c;
                nn += !added[c];
                added[c] = 1;
                cl[c].ew = add_times(cl[c].ew, level_weight(L, p, f32), mult);
            }
        }

        best = current;
        max_diff = 0.0;
        total_cum = 0.0;
        negligible = -INFINITY;
        for (j = 0; j < nn; j++) {
            const int32_t c = neigh[j];
            if (wconn[c]) {
                double diff = cl[c].ew;
                diff -= vw[v] * cl[c].w * res;
                if (diff > max_diff) {
                    best = c;
                    max_diff = diff;
                }
                if (diff >= 0 && !(diff / beta < negligible)) {
                    total_cum += exp(diff / beta);
                    negligible = negligible_exp_bound(total_cum);
                }
            }
            cum[j] = total_cum;
            cl[c].ew = 0.0;
            added[c] = 0;
        }

        if (total_cum < INFINITY) {
            /* mirrors igraph_vector_binsearch_slice(): an exact hit returns the
             * probed position, otherwise the insertion point */
            const double r = az_rng_unif(rng, 0, total_cum);
            int32_t left = 0, right = nn - 1;
            while (left <= right) {
                const int32_t middle = left + ((right - left) >> 1);
                if (cum[middle] > r) {
                    right = middle - 1;
                } else if (cum[middle] < r) {
                    left = middle + 1;
                } else {
                    left = middle;
                    break;
                }
            }
            chosen = neigh[left];
        } else {
            chosen = best;
        }

        cl[chosen].w += vw[v];
        {
            double e = ext[chosen]; /* updated in a register */
            /* loops included: v's label is still `current` here */
            for (p = begin; p < end; p++) {
                const az_mpos mu = mpos[L->nbr[p]];
                if (mu.memb == cluster) {
                    e = add_times(e, negate_if(level_weight(L, p, f32), lref[mu.pos] == chosen),
                                  mult);
                }
            }
            ext[chosen] = e;
            wconn[chosen] = e >= cl[chosen].w * (total - cl[chosen].w) * res;
        }

        if (chosen != current) {
            lref[li] = chosen;
            nonsingleton[chosen] = 1;
        }
    }

    /* mirrors leiden_clean_refined_membership() */
    memset(newc, 0, (size_t)k * sizeof(int32_t));
    *nb_refined += 1;
    for (i = 0; i < k; i++) {
        const int32_t c = lref[i];
        if (newc[c] == 0) newc[c] = (*nb_refined)++;
    }
    for (i = 0; i < k; i++) refined[subset[i]] = newc[lref[i]] - 1;
    *nb_refined -= 1;
    return AZ_OK;
}

static int merge_vertices(const az_level *L, int64_t first, const int32_t *subset, int32_t k,
                          double res, double beta, az_work *w, az_rng *rng, az_interrupt *intr,
                          int32_t *nb_refined) {
    return AZ_DISPATCH_LEVEL(L, merge_vertices_mult, L, first, subset, k, res, beta, w, rng,
                             intr, nb_refined);
}

/* Makes room for n vertices and m incidences in st, dropping its contents;
 * grows by a quarter more, as the next iteration's level is often a little
 * larger than this one's. */
static int store_reserve(az_store *st, int64_t n, int64_t m) {
    if (n + 1 > st->ncap) {
        n += n / 4;
        free(st->off);
        free(st->vw);
        st->ncap = 0;
        st->off = az_malloc((size_t)n + 1, sizeof(int64_t));
        st->vw = az_malloc((size_t)n, sizeof(double));
        if (!st->off || !st->vw) return AZ_ENOMEM;
        st->ncap = n + 1;
    }
    if (m > st->mcap) {
        m += m / 4;
        free(st->nbr);
        free(st->w);
        st->mcap = 0;
        st->nbr = az_malloc((size_t)m, sizeof(int32_t));
        st->w = az_malloc((size_t)m, sizeof(double));
        if (!st->nbr || !st->w) return AZ_ENOMEM;
        st->mcap = m;
    }
    return AZ_OK;
}

/* Collapses each refined cluster into a vertex. Edges (c, c2 > c) are created in
 * order of c, then of first discovery; igraph_create() then lists each vertex's
 * incidences by ascending neighbour, which is what is built here, in st
 * directly: when cluster c is reached, every edge to a lower cluster is known,
 * so row c starts with room for them and continues with c's upper edges (in
 * discovery order, sorted afterwards).
 * mirrors leiden_aggregate() in igraph community/leiden.c */
AZ_PER_MULT int aggregate_mult(const az_level *L, const int32_t *memb, const int32_t *refined,
                               int32_t nb_refined, az_work *w, az_store *st, az_level *out,
                               int32_t *out_memb, const int32_t mult, const int f32) {
    const int32_t n = nb_refined;
    int64_t *pos = w->pos, *off;
    int32_t *lower = w->lower, *nbr, c;
    double *wt;
    az_cl *cl = w->cl;
    int32_t *neigh = w->neigh;
    uint8_t *added = w->added;

    /* one incidence at most per stored incidence of L (each edge (c, c2)
     * stems from incidences both ways): room untouched costs no memory */
    if (store_reserve(st, n, L->off[L->n]) != AZ_OK) return AZ_ENOMEM;
    memset(out, 0, sizeof(*out));
    out->n = n;
    out->mult = 1;
    out->off = off = st->off;
    out->nbr = nbr = st->nbr;
    out->w = wt = st->w;
    out->vw = st->vw;
    memset(lower, 0, ((size_t)n + 1) * sizeof(int32_t));

    group_by_label(refined, L->n, n, w->start, w->verts);
    off[0] = 0;
    for (c = 0; c < n; c++) {
        int64_t s, up_at = off[c] + lower[c];
        int32_t v = -1, nn = 0, i;
        out->vw[c] = 0.0;
        for (s = w->start[c]; s < w->start[c + 1]; s++) {
            int64_t p;
            v = w->verts[s];
            /* start loading what the next vertices read, a stage a step */
            if (s + 2 < L->n) az_level_prefetch(L, w->verts[s + 2], f32);
            if (s + 3 < L->n) AZ_PREFETCH(&L->off[w->verts[s + 3]]);
            for (p = L->off[v]; p < L->off[v + 1]; p++) {
                const int32_t c2 = refined[L->nbr[p]];
                const int up = c2 > c;
                /* no branch for the predictor to miss: an incidence to a lower
                 * cluster goes to one of 8 scratch slots past the clusters (8
                 * so that their sums do not chain) and is never listed */
                const int32_t t = up ? c2 : w->n0 + (int32_t)(p & 7);
                neigh[nn] = t;
                nn += up & !added[t];
                added[t] = 1;
                cl[t].ew = add_times(cl[t].ew, level_weight(L, p, f32), mult);
            }
            out->vw[c] += L->vw[v];
        }
        for (i = 0; i < nn; i++) {
            const int32_t c2 = neigh[i];
            nbr[up_at] = c2;
            wt[up_at++] = cl[c2].ew;
            lower[c2]++;
            cl[c2].ew = 0.0;
            added[c2] = 0;
        }
        off[c + 1] = up_at;
        out_memb[c] = memb[v];
    }
    for (c = w->n0; c < w->n0 + 8; c++) {
        cl[c].ew = 0.0;
        added[c] = 0;
    }

    /* lower neighbours (c < x), ascending c: from the upper edges, c by c */
    for (c = 0; c < n; c++) pos[c] = off[c];
    for (c = 0; c < n; c++) {
        for (int64_t k = off[c] + lower[c]; k < off[c + 1]; k++) {
            const int32_t x = nbr[k];
            wt[pos[x]] = wt[k];
            nbr[pos[x]++] = c;
        }
    }
    /* upper neighbours, ascending: every x's lower list in ascending x, over
     * the upper edges in discovery order (read above); pos[x] is now where
     * x's upper edges start */
    for (c = 0; c < n; c++) {
        for (int64_t k = off[c]; k < off[c] + lower[c]; k++) {
            const int32_t x = nbr[k];
            wt[pos[x]] = wt[k];
            nbr[pos[x]++] = c;
        }
    }
    return AZ_OK;
}

static int aggregate(const az_level *L, const int32_t *memb, const int32_t *refined,
                     int32_t nb_refined, az_work *w, az_store *st, az_level *out,
                     int32_t *out_memb) {
    return AZ_DISPATCH_LEVEL(L, aggregate_mult, L, memb, refined, nb_refined, w, st, out,
                             out_memb);
}

/* One Leiden iteration over all levels.
 * mirrors community_leiden() in igraph 1.0 community/leiden.c
 * (igraph_i_community_leiden() in 0.10) */
static int leiden_iteration(const az_level *L0, int reindex, double res, double beta, az_work *w,
                            az_rng *rng, az_interrupt *intr, az_timer *timer,
                            int32_t *nb_clusters, int *changed) {
    const int32_t n0 = w->n0;
    az_level agg = {0}; /* arrays in w->store, not owned */
    const az_level *L = L0;
    int32_t *memb = w->memb0;
    int32_t i, level = 0;
    int cont, rc = AZ_OK;

    for (i = 0; i < n0; i++) w->aggv[i] = i;
    if (reindex) reindex_membership(w->memb0, n0, w->count);
    *changed = 0;

    do {
        rc = fastmove_vertices(L, memb, res, w, rng, intr, nb_clusters, changed);
        lap(timer, AZ_PHASE_FASTMOVE);
        if (rc != AZ_OK) break;

        cont = *nb_clusters < L->n;
        if (cont) {
            az_level next;
            int32_t *next_memb = (memb == w->memb_a) ? w->memb_b : w->memb_a;
            int32_t c, nb_refined = 0;

            if (level > 0) {
                for (i = 0; i < n0; i++) w->memb0[i] = memb[w->aggv[i]];
            }

            group_by_label(memb, L->n, *nb_clusters, w->start, w->verts);
            cluster_positions(L, memb, *nb_clusters, w);
            for (c = 0; c < *nb_clusters && rc == AZ_OK; c++) {
                const int64_t s = w->start[c];
                rc = merge_vertices(L, s, w->verts + s, (int32_t)(w->start[c + 1] - s), res,
                                    beta, w, rng, intr, &nb_refined);
            }
            lap(timer, AZ_PHASE_REFINE);
            if (rc != AZ_OK) break;

            /* refinement merged nothing: aggregate on the clustering itself */
            if (nb_refined >= L->n) {
                memcpy(w->refined, memb, (size_t)L->n * sizeof(int32_t));
                nb_refined = *nb_clusters;
            }

            for (i = 0; i < n0; i++) w->aggv[i] = w->refined[w->aggv[i]];

            rc = aggregate(L, memb, w->refined, nb_refined, w, &w->store[level % 2], &next,
                           next_memb);
            lap(timer, AZ_PHASE_AGGREGATE);
            if (rc != AZ_OK) break;
            agg = next;
            L = &agg;
            memb = next_memb;
            level++;
        }
    } while (cont);

    return rc;
}

/* mirrors leiden_quality() in igraph community/leiden.c (undirected) */
static double leiden_quality(const az_edge_graph *g, const double *vw, const int32_t *memb,
                             int32_t nb_clusters, double res, double *cw) {
    const int64_t n = g->n_vertices, m = g->n_edges;
    double q = 0.0, total = 0.0;
    int64_t v, e;
    int32_t c;

    for (e = 0, v = 0; e < m; e++) {
        const double we = az_edge_weight(g, e);
        total += we;
        if (memb[az_edge_source(g, e, &v)] == memb[az_edge_target(g, e)]) q += 2.0 * we;
    }
    for (c = 0; c < n; c++) cw[c] = 0.0;
    for (v = 0; v < n; v++) cw[memb[v]] += vw[v];
    for (c = 0; c < nb_clusters; c++) q -= res * cw[c] * cw[c];
    return q / (2.0 * total);
}

static void work_free(az_work *w) {
    int i;
    free(w->arena);
    free(w->labs);
    for (i = 0; i < 2; i++) {
        free(w->store[i].off);
        free(w->store[i].nbr);
        free(w->store[i].w);
        free(w->store[i].vw);
    }
}

/* Lays the n-sized scratch arrays out in one block (64-byte aligned each) at
 * base, or only sizes the block when base is NULL; returns its size. One block
 * instead of twenty: fewer page faults. Arrays that no two phases of a level
 * use at once share memory: fast-move's, the refinement's and aggregation's
 * own (a level's phases run in that order, each initialising its arrays), so
 * a run touches the largest of the three groups only. */
static size_t work_layout(az_work *w, char *base, size_t n) {
    size_t at = 0, shared, end;
#define AZ_CARVE(field, count, type)                                        \
    do {                                                                    \
        if (base) w->field = (type *)(void *)(base + at);                   \
        at += ((size_t)(count) * sizeof(type) + 63) & ~(size_t)63;          \
    } while (0)
    AZ_CARVE(memb0, n, int32_t);
    AZ_CARVE(memb_a, n, int32_t);
    AZ_CARVE(memb_b, n, int32_t);
    AZ_CARVE(aggv, n, int32_t);
    AZ_CARVE(refined, n, int32_t);
    AZ_CARVE(order, n, int32_t);
    AZ_CARVE(neigh, n + 1, int32_t);
    AZ_CARVE(count, n, int32_t);
    AZ_CARVE(verts, n, int32_t);
    AZ_CARVE(start, n + 2, int64_t);
    AZ_CARVE(cum, n, double);
    AZ_CARVE(cl, n + 8, az_cl);
    AZ_CARVE(added, n + 8, uint8_t);
    shared = at;
    /* fast-move */
    AZ_CARVE(stack, n, int32_t);
    AZ_CARVE(stable, n, uint8_t);
    end = at;
    /* refinement: cluster_positions() and merge_vertices() */
    at = shared;
    AZ_CARVE(mpos, n, az_mpos);
    AZ_CARVE(ext, n, double);
    AZ_CARVE(lref, n, int32_t);
    AZ_CARVE(nonsingleton, n, uint8_t);
    AZ_CARVE(wconn, n, uint8_t);
    if (at > end) end = at;
    /* aggregation */
    at = shared;
    AZ_CARVE(pos, n + 1, int64_t);
    AZ_CARVE(lower, n + 1, int32_t);
    if (at > end) end = at;
#undef AZ_CARVE
    return end;
}

static int work_alloc(az_work *w, int32_t n) {
    memset(w, 0, sizeof(*w));
    w->n0 = n;
    w->arena = az_malloc(work_layout(w, NULL, (size_t)n), 1);
    if (!w->arena) return AZ_ENOMEM;
    work_layout(w, w->arena, (size_t)n);
    /* kept all-zero between uses */
    memset(w->cl, 0, ((size_t)n + 8) * sizeof(az_cl));
    memset(w->added, 0, (size_t)n + 8);
    return AZ_OK;
}

/* mirrors igraph_community_leiden() plus the vertex-weight and resolution
 * handling of igraphmodule_Graph_community_leiden() in python-igraph */
int az_leiden(const az_edge_graph *g, const double *node_weights, int normalize_resolution,
              double resolution, double beta, int64_t n_iterations, int behaviour,
              int64_t *membership, az_rng *rng, az_interrupt *intr, double *quality,
              double *phases) {
    const int32_t n = (int32_t)g->n_vertices;
    az_timer timer = {phases, seconds_now()};
    az_level L0 = {0};
    az_work w;
    int32_t i, nb_clusters = 0;
    int64_t itr;
    /* 1.0 iterates while the last iteration changed something; 0.10 tests
     * !changed, i.e. stops after the first iteration that changes anything */
    const int core_1_0 = (behaviour & AZ_IGRAPH_CORE_1_0) != 0;
    int changed = core_1_0;
    int rc;

    if (work_alloc(&w, n) != AZ_OK) return AZ_ENOMEM;
    rc = az_level_from_edges(g, &L0, w.start, 0);
    if (rc != AZ_OK) goto done;
    L0.vw = az_malloc((size_t)n, sizeof(double));
    if (!L0.vw) {
        rc = AZ_ENOMEM;
        goto done;
    }
    {
        /* fast-move's label buffer: the input's largest degree, or n (an
         * aggregated vertex has at most n - 1 neighbours, each once) */
        int64_t max_deg = n;
        for (i = 0; i < n; i++) {
            if (L0.off[i + 1] - L0.off[i] > max_deg) max_deg = L0.off[i + 1] - L0.off[i];
        }
        w.labs = az_malloc((size_t)max_deg, sizeof(int32_t));
        if (!w.labs) {
            rc = AZ_ENOMEM;
            goto done;
        }
    }

    if (node_weights) {
        memcpy(L0.vw, node_weights, (size_t)n * sizeof(double));
    } else if (normalize_resolution) {
        if (behaviour & AZ_IGRAPH_STRENGTH_BY_VERTEX) {
            strength_by_vertex(&L0, L0.vw);
        } else if (L0.off == g->indptr) {
            strength_symmetric_sorted(&L0, L0.vw);
        } else {
            strength_no_loops(g, L0.vw);
        }
    } else {
        for (i = 0; i < n; i++) L0.vw[i] = 1.0;
    }
    if (normalize_resolution) {
        double sum = 0.0; /* igraph_vector_sum(): sequential */
        for (i = 0; i < n; i++) sum += L0.vw[i];
        resolution /= sum;
    }

    for (i = 0; i < n; i++) w.memb0[i] = (int32_t)membership[i];
    for (itr = 0;
         n_iterations < 0 ? (core_1_0 ? changed : !changed) : itr < n_iterations;
         itr++) {
        /* the caller already applied igraph's entry reindexing */
        lap(&timer, AZ_PHASE_SETUP);
        rc = leiden_iteration(&L0, itr > 0, resolution, beta, &w, rng, intr, &timer,
                              &nb_clusters, &changed);
        if (rc != AZ_OK) goto done;
    }

    if (quality) *quality = leiden_quality(g, L0.vw, w.memb0, nb_clusters, resolution, w.cum);
    for (i = 0; i < n; i++) membership[i] = w.memb0[i];

done:
    az_level_free(&L0);
    work_free(&w);
    lap(&timer, AZ_PHASE_SETUP);
    return rc;
}

/* mirrors igraph_modularity() in igraph community/modularity.c (undirected):
 * from core 0.10.12 the within-cluster weight e is one sum, divided by 2m;
 * before, e[c] per cluster, scaled by 1 / (2m) like the degree sums, and the
 * result starts at 0, adding e[c] and subtracting c's null-model term in turn. */
int az_igraph_modularity(const az_edge_graph *g, const int64_t *membership,
                         int64_t n_partitions, double resolution, int behaviour,
                         double *modularity) {
    const int64_t m_edges = g->n_edges;
    const int per_cluster = (behaviour & AZ_IGRAPH_MODULARITY_PER_CLUSTER) != 0;
    double *k_out, *k_in, *e_part = NULL, e = 0.0, m = 0.0, scale;
    int64_t v, e_id, i;

    k_out = calloc((size_t)n_partitions + 1, sizeof(double));
    k_in = calloc((size_t)n_partitions + 1, sizeof(double));
    if (per_cluster) e_part = calloc((size_t)n_partitions + 1, sizeof(double));
    if (!k_out || !k_in || (per_cluster && !e_part)) {
        free(k_out);
        free(k_in);
        free(e_part);
        return AZ_ENOMEM;
    }
    for (e_id = 0, v = 0; e_id < m_edges; e_id++) {
        const int64_t s = az_edge_source(g, e_id, &v), t = az_edge_target(g, e_id);
        const int64_t c1 = membership[s > t ? s : t], c2 = membership[s > t ? t : s];
        const double we = az_edge_weight(g, e_id);
        if (c1 == c2) {
            if (per_cluster) {
                e_part[c1] += 2.0 * we;
            } else {
                e += 2.0 * we;
            }
        }
        k_out[c1] += we;
        k_in[c2] += we;
        m += we;
    }
    if (!g->weights && !g->weights32) m = (double)m_edges;
    for (i = 0; i < n_partitions; i++) {
        k_out[i] += k_in[i];
        k_in[i] = k_out[i];
    }
    scale = 1.0 / (2.0 * m);
    for (i = 0; i < n_partitions; i++) {
        k_out[i] *= scale;
        k_in[i] *= scale;
    }
    if (per_cluster) {
        for (i = 0; i < n_partitions; i++) e_part[i] *= scale;
        *modularity = 0.0;
        if (m > 0) {
            for (i = 0; i < n_partitions; i++) {
                *modularity += e_part[i];
                *modularity -= resolution * k_out[i] * k_in[i];
            }
        }
    } else if (m > 0) {
        *modularity = e / (2.0 * m);
        for (i = 0; i < n_partitions; i++) *modularity -= resolution * k_out[i] * k_in[i];
    } else {
        *modularity = NAN;
    }
    free(k_out);
    free(k_in);
    free(e_part);
    return AZ_OK;
}
