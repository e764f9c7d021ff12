/* Louvain community detection, ported from igraph's community/louvain.c
 * (igraph_community_multilevel, C core 1.0) for undirected graphs, keeping
 * igraph's visiting order, random draws and floating-point operation order so
 * results are bit-identical.
 *
 * igraph looks at every vertex's incident edges (igraph_incident), sorts the
 * links to neighbouring communities with its qsort and sums each community's
 * run. Here every level is an az_level (igraph_incidence.h) plus its edge list
 * in edge id order; the links are sorted by the same qsort algorithm, inlined
 * for this one element type, because the order it leaves the links of one
 * community in is the order their weights are summed. The shrunk graph of a
 * level is kept as CSR rows of (larger, smaller) community pairs, which is
 * igraph's sorted, simplified edge list, and its incidences come from the same
 * builder as the input's. */
#include "igraph_multilevel.h"

#include "az_alloc.h"
#include "igraph_incidence.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* igraph_i_multilevel_community, with a scratch slot for the links of one
 * vertex of many incidences (add_link()) */
typedef struct {
    double wall; /* weight of all incident edges */
    double win;  /* weight inside */
    int64_t size;
    int64_t at; /* add_link(): the community's position in the vertex's list, or -1 */
} ml_comm;

/* igraph_i_multilevel_community_link */
typedef struct {
    int64_t c;
    double w;
} ml_link;

/* One level: its incidences and its edges in edge id order (the input graph's,
 * or the shrunk graph's CSR rows, owned). */
typedef struct {
    az_level L;
    az_edge_graph edges;
    int64_t *own_indptr;
    int32_t *own_targets;
    double *own_weights;
} ml_graph;

/* What mark_exact() finds for a vertex of a level, side by side (one line read
 * per visit). */
typedef struct {
    /* sums of its incidences' weights and of its loops', in incidence order (as
     * igraph sums them per visit) */
    double strength, loops;
    int32_t exact;    /* the sums of its link weights are exact in any order */
    int32_t has_loop; /* a loop links it to its own community, whatever that is */
} ml_vertex;

/* Communities a vertex's memo holds at most: past the first pass of level 0
 * most vertices link to four or fewer. */
#define ML_MEMO 4

/* Scratch sized by the input vertex count (levels only shrink). */
typedef struct {
    int32_t *memb, *saved, *order, *level_memb, *mark;
    int64_t *cursor; /* az_level_from_edges() scratch; the shrink's bucket starts */
    ml_comm *comm;
    ml_link *links;
    int64_t links_cap;
    int32_t *touched;  /* visit_vertex_exact(): the communities a vertex links to */
    double *touched_w; /* and its link weight to each */
    /* per-vertex memo of the two above, while no neighbour has moved since:
     * count (-1: none), then up to ML_MEMO entries; memo_s: visit_vertex()'s
     * sums of each community's links in incidence order (its weight inside,
     * should that community be its own) */
    int32_t *memo_n, *memo_c;
    double *memo_w, *memo_s;
    ml_vertex *vx;     /* per vertex of the level (mark_exact()) */
    int unit;          /* the level's weights are all 1 (the input without weights) */
    int transpose;     /* a random transposition of the order before each pass */
} ml_work;

void az_multilevel_result_free(az_multilevel_result *res) {
    free(res->memberships);
    free(res->modularity);
    memset(res, 0, sizeof(*res));
}

static void graph_free(ml_graph *G) {
    az_level_free(&G->L);
    free(G->own_indptr);
    free(G->own_targets);
    free(G->own_weights);
    memset(G, 0, sizeof(*G));
}

/* ---- igraph_qsort() (FreeBSD's qsort, Bentley & McIlroy) on links by community */

static inline int link_cmp(const ml_link *a, const ml_link *b) {
    return (a->c > b->c) - (a->c < b->c);
}

static inline void link_swap(ml_link *a, ml_link *b) {
    const ml_link t = *a;
    *a = *b;
    *b = t;
}

static inline void link_vecswap(ml_link *a, ml_link *b, int64_t n) {
    for (int64_t i = 0; i < n; i++) link_swap(a + i, b + i);
}

/* mirrors med3() in igraph internal/qsort.c */
static inline ml_link *link_med3(ml_link *a, ml_link *b, ml_link *c) {
    return link_cmp(a, b) < 0 ? (link_cmp(b, c) < 0 ? b : (link_cmp(a, c) < 0 ? c : a))
                              : (link_cmp(b, c) > 0 ? b : (link_cmp(a, c) < 0 ? a : c));
}

static void link_insertion_sort(ml_link *a, int64_t n) {
    for (ml_link *pm = a + 1; pm < a + n; pm++) {
        for (ml_link *pl = pm; pl > a && link_cmp(pl - 1, pl) > 0; pl--) link_swap(pl, pl - 1);
    }
}

/* mirrors local_qsort() in igraph internal/qsort.c: the same comparisons and
 * swaps, so links of one community end in the same order */
static void sort_links(ml_link *a, int64_t n) {
    ml_link *pa, *pb, *pc, *pd, *pl, *pm, *pn;
    int64_t d1, d2;
    int r, swapped;

    if (n < 2) return;
    for (;;) {
        swapped = 0;
        if (n < 7) {
            link_insertion_sort(a, n);
            return;
        }
        pm = a + n / 2;
        if (n > 7) {
            pl = a;
            pn = a + (n - 1);
            if (n > 40) {
                const int64_t d = n / 8;
                pl = link_med3(pl, pl + d, pl + 2 * d);
                pm = link_med3(pm - d, pm, pm + d);
                pn = link_med3(pn - 2 * d, pn - d, pn);
            }
            pm = link_med3(pl, pm, pn);
        }
        link_swap(a, pm);
        pa = pb = a + 1;
        pc = pd = a + (n - 1);
        for (;;) {
            while (pb <= pc && (r = link_cmp(pb, a)) <= 0) {
                if (r == 0) {
                    swapped = 1;
                    link_swap(pa, pb);
                    pa++;
                }
                pb++;
            }
            while (pb <= pc && (r = link_cmp(pc, a)) >= 0) {
                if (r == 0) {
                    swapped = 1;
                    link_swap(pc, pd);
                    pd--;
                }
                pc--;
            }
            if (pb > pc) break;
            link_swap(pb, pc);
            swapped = 1;
            pb++;
            pc--;
        }
        if (!swapped) {
            link_insertion_sort(a, n);
            return;
        }
        pn = a + n;
        d1 = pa - a < pb - pa ? pa - a : pb - pa;
        link_vecswap(a, pb - d1, d1);
        d1 = pd - pc < pn - pd - 1 ? pd - pc : pn - pd - 1;
        link_vecswap(pb, pn - d1, d1);
        d1 = pb - pa;
        d2 = pd - pc;
        if (d1 <= d2) {
            /* the smaller part by recursion, the larger one by iteration */
            if (d1 > 1) sort_links(a, d1);
            if (d2 <= 1) return;
            a = pn - d2;
            n = d2;
        } else {
            if (d2 > 1) sort_links(pn - d2, d2);
            if (d1 <= 1) return;
            n = d1;
        }
    }
}

/* ---- one level */

/* Sums the links of each community in their sorted order, in place; returns
 * the number of communities. */
static int64_t merge_links(ml_link *l, int64_t n) {
    int64_t k = -1, last = -1;
    for (int64_t i = 0; i < n; i++) {
        if (l[i].c != last) {
            last = l[i].c;
            l[++k] = l[i];
        } else {
            l[k].w += l[i].w;
        }
    }
    return k + 1;
}

/* The tail of a visit: v leaves its community and joins the one of the
 * largest gain among the cs / ws (community, link weight) it links to, its own
 * if none gains; the first in ascending id among equal gains (igraph scans
 * its links sorted, taking a strictly larger gain only). win: its weight to its
 * own community; wall, wloop: its strength and its loops' weight. mirrors the
 * end of the vertex loop of igraph_i_community_multilevel_step() */
static inline int move_to_best(ml_work *w, int32_t v, const int32_t *cs, const double *ws,
                               int64_t nt, double win, double wall, double wloop, double res,
                               double wsum) {
    ml_comm *comm = w->comm;
    const int32_t old = w->memb[v];
    int32_t best = old;
    double max_gain = 0.0, max_w = win;
    int found = 0;

    comm[old].size--;
    comm[old].wall -= wall;
    comm[old].win -= 2 * win + wloop;
    for (int64_t j = 0; j < nt; j++) {
        const int32_t c = cs[j];
        /* igraph_i_multilevel_community_modularity_gain() */
        const double gain = ws[j] - res * comm[c].wall * wall / wsum;
        if (gain > max_gain || (found && gain == max_gain && c < best)) {
            best = c;
            max_gain = gain;
            max_w = ws[j];
            found = 1;
        }
    }
    w->memb[v] = best;
    comm[best].size++;
    comm[best].wall += wall;
    comm[best].win += 2 * max_w + wloop;
    return best != old;
}

/* Moves vertex v to the neighbouring community of the largest modularity gain
 * (its own if none gains). mult, f32: the level's (AZ_DISPATCH_LEVEL).
 * The links' sums depend on the neighbours' communities only (and, through a
 * loop's link, on v's own): where v has no loop they are memoised like
 * visit_vertex_exact()'s, with each community's sum in incidence order beside
 * (igraph's sum of the links to v's own community).
 * mirrors igraph_i_multilevel_community_links() and the body of the vertex
 * loop of igraph_i_community_multilevel_step() */
AZ_PER_MULT int visit_vertex(const az_level *L, int32_t v, double res, double wsum, ml_work *w,
                             const int mult, const int f32) {
    const int32_t *memb = w->memb;
    const int32_t old = memb[v];
    const double wall = w->vx[v].strength, wloop = w->vx[v].loops;
    int32_t *cs = w->memo_c + (size_t)v * ML_MEMO;
    double *ws = w->memo_w + (size_t)v * ML_MEMO, *seq = w->memo_s + (size_t)v * ML_MEMO;
    int64_t k = w->memo_n[v], n = 0, j, p;
    double win = 0.0;
    int r;

    if (k < 0) {
        ml_link *links = w->links;
        for (p = L->off[v]; p < L->off[v + 1]; p++) {
            const int32_t u = L->nbr[p];
            const double x = level_weight(L, p, f32);
            const int32_t cu = memb[u];
            for (r = 0; r < mult; r++) {
                /* a loop links to the vertex's own community with weight 0 */
                links[n].c = u == v ? old : cu;
                links[n].w = u == v ? 0.0 : x;
                if (u != v && cu == old) win += x;
                n++;
            }
        }
        sort_links(links, n);
        k = merge_links(links, n);
        if (w->vx[v].has_loop || k > ML_MEMO) {
            cs = w->touched;
            ws = w->touched_w;
        }
        for (j = 0; j < k; j++) {
            cs[j] = (int32_t)links[j].c;
            ws[j] = links[j].w;
        }
        if (cs != w->touched) {
            /* no loop: every link is a neighbour's, summed per community in order */
            for (j = 0; j < k; j++) seq[j] = 0.0;
            for (p = L->off[v]; p < L->off[v + 1]; p++) {
                const double x = level_weight(L, p, f32);
                const int32_t cu = memb[L->nbr[p]];
                for (j = 0; cs[j] != cu; j++) {
                }
                for (r = 0; r < mult; r++) seq[j] += x;
            }
            w->memo_n[v] = (int32_t)k;
        }
    } else {
        for (j = 0; j < k; j++) {
            if (cs[j] == old) win = seq[j];
        }
    }
    return move_to_best(w, v, cs, ws, k, win, wall, wloop, res, wsum);
}

/* Adds weight x to community c's link sum (c < 0: nothing), listing c in tc
 * on its first link with its sum in tw; returns the new count of listed
 * communities. linear: c is looked up in the list (a vertex of few incidences:
 * no branch then waits for a load that misses the cache), else through its slot
 * comm[c].at. */
static inline int64_t add_link(ml_comm *comm, int32_t *tc, double *tw, int64_t nt, int32_t c,
                               double x, const int linear) {
    int64_t j;
    if (c < 0) return nt;
    if (linear) {
        for (j = 0; j < nt; j++) {
            if (tc[j] == c) {
                tw[j] += x;
                return nt;
            }
        }
    } else if (comm[c].at >= 0) {
        tw[comm[c].at] += x;
        return nt;
    } else {
        comm[c].at = nt;
    }
    tc[nt] = c;
    tw[nt] = x;
    return nt + 1;
}

/* Incidences up to which a vertex's communities are looked up linearly. */
#define ML_LINEAR 64

/* visit_vertex() for a vertex whose link weights sum exactly in any order
 * (ml_vertex.exact): igraph's qsort only decides the order each community's links are
 * summed in, so the sums are taken as the links come and the sort is skipped.
 * The result is the same: the community of the largest gain, the first in
 * ascending id among equal gains (igraph scans them sorted, taking a strictly
 * larger one only). Loops link with weight 0 to the vertex's own community,
 * whose gain then is at most 0 and never taken, so they are left out. unit:
 * every weight of the level is 1 (ml_work.unit), not read.
 *
 * The sums depend on the neighbours' communities only, so they are memoised
 * per vertex (ml_work.memo_n) until a neighbour moves (visit()): most visits after the
 * first pass find the same neighbourhood and skip the neighbour scan; the
 * gains are computed afresh from the communities' current totals. */
AZ_PER_MULT int visit_vertex_exact(const az_level *L, int32_t v, double res, double wsum,
                                   ml_work *w, const int unit, const int mult, const int f32) {
    const int32_t *memb = w->memb;
    ml_comm *comm = w->comm;
    const int32_t old = memb[v];
    /* exact sums: igraph's sequential ones, taken once per level (mark_exact()) */
    const double wall = w->vx[v].strength, wloop = w->vx[v].loops;
    const int32_t *cs;
    const double *ws;
    int64_t nt = w->memo_n[v], j, p;
    double win = 0.0;

    if (nt >= 0) {
        cs = w->memo_c + (size_t)v * ML_MEMO;
        ws = w->memo_w + (size_t)v * ML_MEMO;
    } else {
        int32_t *touched = w->touched;
        double *touched_w = w->touched_w;
        double run = 0.0;
        int32_t run_c = -1;
        const int linear = L->off[v + 1] - L->off[v] <= ML_LINEAR;
        nt = 0;
        /* neighbours tend to share a community: a run of them is summed in a
         * register, then added to the community's sum (any order is exact here) */
        for (p = L->off[v]; p < L->off[v + 1]; p++) {
            const int32_t u = L->nbr[p];
            const double x = unit ? (double)mult : level_weight(L, p, f32) * mult;
            const int32_t cu = memb[u];
            if (u == v) continue;
            if (cu == run_c) {
                run += x;
                continue;
            }
            nt = add_link(comm, touched, touched_w, nt, run_c, run, linear);
            run_c = cu;
            run = x;
        }
        nt = add_link(comm, touched, touched_w, nt, run_c, run, linear);
        for (j = 0; !linear && j < nt; j++) comm[touched[j]].at = -1;
        cs = touched;
        ws = touched_w;
        if (nt <= ML_MEMO) {
            memcpy(w->memo_c + (size_t)v * ML_MEMO, cs, (size_t)nt * sizeof(int32_t));
            memcpy(w->memo_w + (size_t)v * ML_MEMO, ws, (size_t)nt * sizeof(double));
            w->memo_n[v] = (int32_t)nt;
        }
    }
    for (j = 0; j < nt; j++) {
        if (cs[j] == old) win = ws[j];
    }
    return move_to_best(w, v, cs, ws, nt, win, wall, wloop, res, wsum);
}

/* Visits v; where it moves, its neighbours' memos are dropped. */
static int visit(const az_level *L, int32_t v, double res, double wsum, ml_work *w) {
    int moved;
    if (w->unit) {
        moved = AZ_DISPATCH_LEVEL(L, visit_vertex_exact, L, v, res, wsum, w, 1);
    } else if (w->vx[v].exact) {
        moved = AZ_DISPATCH_LEVEL(L, visit_vertex_exact, L, v, res, wsum, w, 0);
    } else {
        moved = AZ_DISPATCH_LEVEL(L, visit_vertex, L, v, res, wsum, w);
    }
    if (moved) {
        for (int64_t p = L->off[v]; p < L->off[v + 1]; p++) w->memo_n[L->nbr[p]] = -1;
    }
    return moved;
}

/* The exponent of x's lowest set bit (x = odd * 2^result), for x > 0 normal. */
static int lowest_bit_exponent(double x) {
    uint64_t bits, mant;
    int e;
    memcpy(&bits, &x, sizeof(bits));
    e = (int)((bits >> 52) & 0x7ff) - 1075;
    mant = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52);
#if defined(__GNUC__) || defined(__clang__)
    return e + __builtin_ctzll(mant);
#else
    while (!(mant & 1)) {
        mant >>= 1;
        e++;
    }
    return e;
#endif
}

/* Marks the vertices whose link weights sum exactly whatever the order: all
 * are multiples of 2^q (q: the lowest set bit among them) and their total, which
 * bounds every partial sum of non-negative terms, is below 2^(53 + q), so every
 * partial sum is representable. A -0.0 or subnormal weight, or an infinite
 * total, leaves a vertex unmarked (summed as igraph sorts). Also stores the
 * sums of all its incidences' weights and of its loops' in incidence order, and
 * whether it has a loop. */
static void mark_exact(const az_level *L, ml_work *w) {
    for (int32_t v = 0; v < L->n; v++) {
        int q = INT32_MAX, ok = 1, has_loop = 0;
        double total = 0.0, loops = 0.0;
        for (int64_t p = L->off[v]; p < L->off[v + 1]; p++) {
            const double x = L->w32 ? (double)L->w32[p] : L->w ? L->w[p] : 1.0;
            const int loop = L->nbr[p] == v;
            if (x == 0.0) {
                ok &= !signbit(x);
            } else if (!isnormal(x)) {
                ok = 0;
            } else {
                const int e = lowest_bit_exponent(x);
                if (e < q) q = e;
            }
            for (int32_t r = 0; r < L->mult; r++) {
                total += x;
                if (loop) loops += x;
            }
            has_loop |= loop;
        }
        w->vx[v].exact = ok && isfinite(total) && (q == INT32_MAX || total < ldexp(1.0, 53 + q));
        w->vx[v].strength = total;
        w->vx[v].loops = loops;
        w->vx[v].has_loop = has_loop;
    }
}

/* What visiting v reads first: its memo, else its incidences. */
static void prefetch_visit(const az_level *L, int32_t v, const ml_work *w) {
    if (w->memo_n[v] >= 0) {
        AZ_PREFETCH(&w->memo_c[(size_t)v * ML_MEMO]);
        AZ_PREFETCH(&w->memo_w[(size_t)v * ML_MEMO]);
    } else if (w->unit) {
        const uintptr_t end = (uintptr_t)(L->nbr + L->off[v + 1]);
        for (uintptr_t a = (uintptr_t)(L->nbr + L->off[v]) & ~(uintptr_t)63; a < end; a += 64) {
            AZ_PREFETCH((const void *)a);
        }
    } else if (L->w32) {
        az_level_prefetch(L, v, 1);
    } else {
        az_level_prefetch(L, v, 0);
    }
}

/* What it reads next: the memoised communities' totals, else its neighbours'
 * communities. */
static void prefetch_sums(const az_level *L, int32_t v, const ml_work *w) {
    const int32_t nt = w->memo_n[v];
    if (nt >= 0) {
        for (int32_t j = 0; j < nt; j++) AZ_PREFETCH(&w->comm[w->memo_c[(size_t)v * ML_MEMO + j]]);
        return;
    }
    for (int64_t p = L->off[v]; p < L->off[v + 1]; p++) AZ_PREFETCH(&w->memb[L->nbr[p]]);
}

/* mirrors igraph_i_multilevel_community_modularity() */
static double level_modularity(const ml_comm *comm, int32_t n, double res, double m) {
    double result = 0.0;
    for (int32_t i = 0; i < n; i++) {
        if (comm[i].size > 0) {
            result += (comm[i].win - res * comm[i].wall * comm[i].wall / m) / m;
        }
    }
    return result;
}

/* Relabels communities 0.. in order of first occurrence; returns their count.
 * mirrors igraph_reindex_membership() in community/community_misc.c */
static int32_t reindex(int32_t *memb, int32_t n, int32_t *scratch) {
    int32_t i, k = 0;
    for (i = 0; i < n; i++) scratch[i] = -1;
    for (i = 0; i < n; i++) {
        if (scratch[memb[i]] < 0) scratch[memb[i]] = k++;
    }
    for (i = 0; i < n; i++) memb[i] = scratch[memb[i]];
    return k;
}

/* Optimises one level from singletons; leaves the reindexed membership in
 * w->memb and returns the community count in *k and the modularity igraph
 * reports in *q (that of the last pass, also when its moves were undone).
 * mirrors igraph_i_community_multilevel_step() up to the shrinking */
static int level_step(const ml_graph *G, double res, az_rng *rng, az_interrupt *intr, ml_work *w,
                      int32_t *k, double *q) {
    const az_level *L = &G->L;
    const az_edge_graph *E = &G->edges;
    const int32_t n = L->n;
    int32_t i;
    int64_t e, row = 0;
    double sum = 0.0, wsum, pass_q;
    int changed;

    for (i = 0; i < n; i++) w->order[i] = i;
    az_rng_shuffle(rng, w->order, n);

    for (e = 0; e < E->n_edges; e++) sum += az_edge_weight(E, e);
    wsum = 2.0 * sum;
    for (i = 0; i < n; i++) {
        w->memb[i] = i;
        w->comm[i].size = 1;
        w->comm[i].win = 0.0;
        w->comm[i].wall = 0.0;
        w->comm[i].at = -1;
        w->memo_n[i] = -1;
    }
    for (e = 0; e < E->n_edges; e++) {
        const int64_t s = az_edge_source(E, e, &row), t = az_edge_target(E, e);
        const int64_t from = s > t ? s : t, to = s > t ? t : s;
        const double x = az_edge_weight(E, e);
        w->comm[from].wall += x;
        w->comm[to].wall += x;
        if (from == to) w->comm[from].win += 2 * x;
    }

    *q = level_modularity(w->comm, n, res, wsum);
    for (;;) {
        pass_q = *q;
        changed = 0;
        memcpy(w->saved, w->memb, (size_t)n * sizeof(int32_t));
        /* one random transposition of the visiting order per pass (igraph #2650) */
        if (w->transpose && n > 1) {
            const int64_t i1 = az_rng_integer(rng, n - 1);
            const int64_t i2 = az_rng_integer(rng, n - 1);
            const int32_t t = w->order[i1];
            w->order[i1] = w->order[i2];
            w->order[i2] = t;
        }
        for (i = 0; i < n; i++) {
            if (az_interrupt_tick(intr)) return AZ_EINTR;
            /* the visiting order is random: start loading the coming vertices'
             * offsets, incidences and neighbours' communities, a stage each */
            if (i + 8 < n) {
                AZ_PREFETCH(&L->off[w->order[i + 8]]);
                AZ_PREFETCH(&w->vx[w->order[i + 8]]);
                AZ_PREFETCH(&w->memo_n[w->order[i + 8]]);
                AZ_PREFETCH(&w->memb[w->order[i + 8]]);
            }
            if (i + 4 < n) prefetch_visit(L, w->order[i + 4], w);
            if (i + 2 < n) prefetch_sums(L, w->order[i + 2], w);
            changed |= visit(L, w->order[i], res, wsum, w);
        }
        *q = level_modularity(w->comm, n, res, wsum);
        if (!(changed && *q > pass_q)) {
            memcpy(w->memb, w->saved, (size_t)n * sizeof(int32_t));
            break;
        }
    }
    *k = reindex(w->memb, n, w->mark);
    return AZ_OK;
}

/* Sorts b[0..len) ascending (the distinct smaller ends of one bucket). */
static void sort_ints(int32_t *b, int64_t len) {
    for (int64_t i = 1; i < len; i++) {
        const int32_t x = b[i];
        int64_t j = i;
        for (; j > 0 && b[j - 1] > x; j--) b[j] = b[j - 1];
        b[j] = x;
    }
}

static int cmp_int32(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The graph of G's communities (memb, k of them): one edge per pair of
 * communities joined by an edge, as rows of (larger, smaller) ends ascending,
 * weighing the sum of its edges' weights in edge id order; then its
 * incidences.
 * mirrors igraph_i_multilevel_shrink(), igraph_i_multilevel_simplify_multiple()
 * and the weight update of igraph_i_community_multilevel_step() */
static int shrink(const ml_graph *G, const int32_t *memb, int32_t k, ml_work *w, ml_graph *next) {
    const az_edge_graph *E = &G->edges;
    const int64_t m = E->n_edges;
    int64_t *start = w->cursor; /* k + 1 bucket starts */
    int64_t *indptr = NULL;
    int32_t *bsmall = NULL, *distinct;
    double *bw = NULL, *acc = NULL;
    int64_t e, row, out = 0;
    int32_t a, i;

    memset(next, 0, sizeof(*next));
    indptr = az_malloc((size_t)k + 1, sizeof(int64_t));
    bsmall = az_malloc((size_t)m, sizeof(int32_t));
    bw = az_malloc((size_t)m, sizeof(double));
    acc = az_malloc((size_t)k, sizeof(double));
    if (!indptr || !bsmall || !bw || !acc) goto fail;

    /* bucket every edge by its larger community, ascending edge id within */
    memset(start, 0, ((size_t)k + 1) * sizeof(int64_t));
    for (e = 0, row = 0; e < m; e++) {
        const int32_t x = memb[az_edge_source(E, e, &row)], y = memb[az_edge_target(E, e)];
        start[(x > y ? x : y) + 1]++;
    }
    for (a = 0; a < k; a++) start[a + 1] += start[a];
    for (e = 0, row = 0; e < m; e++) {
        const int32_t x = memb[az_edge_source(E, e, &row)], y = memb[az_edge_target(E, e)];
        const int64_t at = start[x > y ? x : y]++;
        bsmall[at] = x > y ? y : x;
        bw[at] = az_edge_weight(E, e);
    }
    /* start[a] is now the end of bucket a; buckets are merged in place: a
     * bucket's pairs never outnumber its edges, so they are written at or
     * before positions already read */
    for (i = 0; i < k; i++) w->mark[i] = -1;
    distinct = w->order; /* free until the next level's shuffle */
    for (a = 0; a < k; a++) {
        const int64_t begin = a > 0 ? start[a - 1] : 0, end = start[a];
        int64_t nd = 0, p;
        for (p = begin; p < end; p++) {
            const int32_t b = bsmall[p];
            if (w->mark[b] != a) {
                w->mark[b] = a;
                distinct[nd++] = b;
                acc[b] = 0.0 + bw[p]; /* igraph_vector_null() then += */
            } else {
                acc[b] += bw[p];
            }
        }
        if (nd < 32) {
            sort_ints(distinct, nd);
        } else {
            qsort(distinct, (size_t)nd, sizeof(int32_t), cmp_int32);
        }
        indptr[a] = out;
        for (p = 0; p < nd; p++) {
            bsmall[out] = distinct[p];
            bw[out++] = acc[distinct[p]];
        }
    }
    indptr[k] = out;
    free(acc);
    acc = NULL;

    next->own_indptr = indptr;
    next->own_targets = bsmall;
    next->own_weights = bw;
    next->edges.n_vertices = k;
    next->edges.n_edges = out;
    next->edges.indptr = indptr;
    next->edges.indices32 = bsmall;
    next->edges.weights = bw;
    if (az_level_from_edges(&next->edges, &next->L, w->cursor, 0) != AZ_OK) {
        graph_free(next);
        return AZ_ENOMEM;
    }
    return AZ_OK;

fail:
    free(indptr);
    free(bsmall);
    free(bw);
    free(acc);
    return AZ_ENOMEM;
}

static void work_free(ml_work *w) {
    free(w->memb);
    free(w->saved);
    free(w->order);
    free(w->level_memb);
    free(w->mark);
    free(w->cursor);
    free(w->comm);
    free(w->links);
    free(w->touched);
    free(w->touched_w);
    free(w->memo_n);
    free(w->memo_c);
    free(w->memo_w);
    free(w->memo_s);
    free(w->vx);
}

/* Room for the links (and touched communities) of the level's largest
 * incidence list. */
static int reserve_links(ml_work *w, const az_level *L) {
    int64_t need = 1;
    for (int32_t v = 0; v < L->n; v++) {
        const int64_t d = (L->off[v + 1] - L->off[v]) * L->mult;
        if (d > need) need = d;
    }
    if (need <= w->links_cap) return AZ_OK;
    free(w->links);
    free(w->touched);
    free(w->touched_w);
    w->links = az_malloc((size_t)need, sizeof(ml_link));
    w->touched = az_malloc((size_t)need, sizeof(int32_t));
    w->touched_w = az_malloc((size_t)need, sizeof(double));
    w->links_cap = w->links && w->touched && w->touched_w ? need : 0;
    return w->links_cap ? AZ_OK : AZ_ENOMEM;
}

/* Appends a level's membership of the input vertices and its modularity. */
static int push_level(az_multilevel_result *out, const int32_t *memb, int32_t n0, double q) {
    int32_t *m2 = realloc(out->memberships, ((size_t)out->n_levels + 1) * (size_t)n0 *
                                                sizeof(int32_t) + 1);
    double *q2;
    if (!m2) return AZ_ENOMEM;
    out->memberships = m2;
    q2 = realloc(out->modularity, ((size_t)out->n_levels + 1) * sizeof(double));
    if (!q2) return AZ_ENOMEM;
    out->modularity = q2;
    memcpy(m2 + (size_t)out->n_levels * (size_t)n0, memb, (size_t)n0 * sizeof(int32_t));
    q2[out->n_levels++] = q;
    return AZ_OK;
}

/* mirrors igraph_community_multilevel() */
int az_multilevel(const az_edge_graph *g, double resolution, int transpose, az_rng *rng,
                  az_interrupt *intr, az_multilevel_result *out) {
    const int32_t n0 = (int32_t)g->n_vertices;
    ml_work w;
    ml_graph cur, next;
    double q = -1.0, prev_q;
    int32_t i, k;
    int rc = AZ_ENOMEM;

    memset(out, 0, sizeof(*out));
    memset(&w, 0, sizeof(w));
    memset(&cur, 0, sizeof(cur));
    w.transpose = transpose;
    w.memb = az_malloc((size_t)n0, sizeof(int32_t));
    w.saved = az_malloc((size_t)n0, sizeof(int32_t));
    w.order = az_malloc((size_t)n0, sizeof(int32_t));
    w.level_memb = az_malloc((size_t)n0, sizeof(int32_t));
    w.mark = az_malloc((size_t)n0, sizeof(int32_t));
    w.cursor = az_malloc((size_t)n0 + 1, sizeof(int64_t));
    w.comm = az_malloc((size_t)n0, sizeof(ml_comm));
    w.vx = az_malloc((size_t)n0, sizeof(ml_vertex));
    w.memo_n = az_malloc((size_t)n0, sizeof(int32_t));
    w.memo_c = az_malloc((size_t)n0 * ML_MEMO, sizeof(int32_t));
    w.memo_w = az_malloc((size_t)n0 * ML_MEMO, sizeof(double));
    w.memo_s = az_malloc((size_t)n0 * ML_MEMO, sizeof(double));
    if (!w.memb || !w.saved || !w.order || !w.level_memb || !w.mark || !w.cursor || !w.comm ||
        !w.vx || !w.memo_n || !w.memo_c || !w.memo_w || !w.memo_s) {
        goto done;
    }
    if (az_level_from_edges(g, &cur.L, w.cursor, 1) != AZ_OK) goto done;
    cur.edges = *g;
    for (i = 0; i < n0; i++) w.level_memb[i] = i;

    for (;;) {
        const int32_t n = cur.L.n;
        rc = reserve_links(&w, &cur.L);
        if (rc != AZ_OK) goto done;
        mark_exact(&cur.L, &w);
        w.unit = cur.edges.weights == NULL && cur.edges.weights32 == NULL;
        prev_q = q;
        rc = level_step(&cur, resolution, rng, intr, &w, &k, &q);
        if (rc != AZ_OK) goto done;
        /* no merge, or a worse modularity: the level is dropped (igraph shrinks
         * the graph first, to no visible effect) */
        if (k == n || q < prev_q) break;
        for (i = 0; i < n0; i++) w.level_memb[i] = w.memb[w.level_memb[i]];
        rc = push_level(out, w.level_memb, n0, q);
        if (rc != AZ_OK) goto done;
        rc = shrink(&cur, w.memb, k, &w, &next);
        if (rc != AZ_OK) goto done;
        graph_free(&cur);
        cur = next;
    }
    rc = AZ_OK;

done:
    graph_free(&cur);
    work_free(&w);
    if (rc != AZ_OK) az_multilevel_result_free(out);
    return rc;
}
