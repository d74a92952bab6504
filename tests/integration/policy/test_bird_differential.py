"""Differential tests: every case runs through bird2 and through nvabgpd's evaluator
(`nvabgpctl filter test`) and must give the same accept/reject and the same attributes.

Each case names the BIRD subtlety it pins down. Filters use BIRD 2.0 syntax (Debian's bird2 is
2.0.12, which predates the 2.14 `-> type` forms; those are covered by the unit tests).
"""
import pathlib

import pytest

import bird_diff
from bird_diff import bgp_fed_routes, bird_check_config, run_bird, run_bird_bgp, run_ours

SRC = pathlib.Path(__file__).resolve().parents[3]
SEED1 = (SRC / "policy/filters/nva1_to_rs.conf").read_text().replace("filter TO_RS", "filter f")
SEED2 = (SRC / "policy/filters/nva2_to_rs.conf").read_text().replace("filter TO_RS", "filter f")


def R(prefix, path=(), **kw):
    r = {"prefix": prefix, "as_path": list(path)}
    r.update(kw)
    return r


SEED_ROUTES = [
    R("10.1.0.0/16", [65001]), R("10.2.0.0/16", [65001, 65002]),
    R("1.2.3.0/24", [65001, 65515, 12076, 133937]), R("169.254.1.88/30", [12076, 133937]),
    R("10.1.0.0/20", [12076, 12076]), R("192.0.2.1/32", [65001]),
]

CASES = {
    "seed_nva1_to_rs": (SEED1, SEED_ROUTES[:6]),
    "seed_nva2_to_rs": (SEED2, SEED_ROUTES[:6]),
    "unsigned_wraparound": ("filter f { bgp_med = bgp_med - 10; bgp_local_pref = 4294967295 + 2; accept; }",
                            [R("10.0.0.0/8", med=5)]),
    "division_by_zero_rejects": ("filter f { bgp_med = 100 / bgp_med; accept; }",
                                 [R("10.0.0.0/8", med=0), R("10.1.0.0/16", med=7)]),
    "unset_compares_below_everything": (
        "filter f { if bgp_med < 1 then bgp_local_pref = 1; else bgp_local_pref = 2;"
        " if bgp_med = 0 then bgp_community.add((1,1)); accept; }",
        [R("10.0.0.0/8"), R("10.1.0.0/16", med=0), R("10.2.0.0/16", med=3)]),
    "assigning_unset_is_runtime_error": ("filter f { bgp_med = bgp_local_pref; accept; }",
                                         [R("10.0.0.0/8"), R("10.1.0.0/16", local_pref=50)]),
    "and_or_same_precedence_left_to_right": (
        "filter f { if true || false && false then accept; reject; }", [R("10.0.0.0/8")]),
    "and_or_short_circuit": (
        "filter f { if net.len = 8 || 1 / bgp_med = 1 then accept; reject; }",
        [R("10.0.0.0/8", med=0), R("10.1.0.0/16", med=1), R("10.2.0.0/16", med=0)]),
    "arithmetic_precedence": ("filter f { bgp_med = 2 + 3 * 4 - 10 / 3 * 2; accept; }", [R("10.0.0.0/8")]),
    "path_len_first_last": (
        "filter f { bgp_med = bgp_path.len; bgp_local_pref = bgp_path.first + bgp_path.last; accept; }",
        [R("10.0.0.0/8", [65001, 65002, 65003]), R("10.1.0.0/16")]),
    "path_delete_every_occurrence_may_empty": (
        "filter f { bgp_path.delete(65515); if net.len = 16 then bgp_path.delete([1..70000]); accept; }",
        [R("10.0.0.0/8", [65515, 1, 65515, 2, 65515]), R("10.1.0.0/16", [65515, 65001, 65515])]),
    "path_filter_and_prepend": (
        "filter f { bgp_path = filter(bgp_path, [65001, 3]); bgp_path.prepend(64512);"
        " bgp_path = prepend(bgp_path, 64513); accept; }",
        [R("10.0.0.0/8", [65001, 2, 3, 65001])]),
    "path_masks": (
        "filter f { if bgp_path ~ [= * 65515 * =] then bgp_med = 1;"
        " if bgp_path ~ [= 65001 ? ? 133937 =] then bgp_local_pref = 2;"
        " if bgp_path ~ [= * 12000..13000 133937 =] then bgp_community.add((3,3));"
        " if bgp_path ~ [= =] then bgp_community.add((4,4)); accept; }",
        [R("1.2.3.0/24", [65001, 65515, 12076, 133937]), R("10.0.0.0/8", [65001, 133937]),
         R("10.1.0.0/16")]),
    "prefix_pattern_truncation": (
        "filter f { if net ~ [ 10.1.0.0/16{8,12} ] then accept; reject; }",
        [R("10.0.0.0/12"), R("10.1.0.0/16"), R("10.0.0.0/8"), R("10.16.0.0/12")]),
    "prefix_patterns_plus_minus_range": (
        "filter f { if net ~ [ 10.0.0.0/8+, 172.16.0.0/12-, 192.168.0.0/16{20,24} ] then accept; reject; }",
        [R("10.0.0.0/8"), R("10.9.0.0/16"), R("172.16.0.0/12"), R("172.16.0.0/13"),
         R("192.168.0.0/16"), R("192.168.16.0/20"), R("192.168.1.0/24"), R("192.168.1.0/25")]),
    "ipv4_route_vs_ipv6_set_is_false": (
        "filter f { if net ~ [ ::/0+ ] then accept; if net ~ [ 2001:db8::/32+ ] then accept; reject; }",
        [R("10.0.0.0/8"), R("2001:db8:1::/48"), R("2001:db9::/32")]),
    "fell_off_end_rejects": ("filter f { if net.len > 12 then accept; }", [R("10.0.0.0/8"), R("10.1.0.0/16")]),
    "community_add_delete_filter_empty": (
        "filter f { bgp_community.add((1,1)); bgp_community.add((9,9));"
        " if net.len = 8 then bgp_community.delete([(1,*), (9,9), (65535, *)]);"
        " if net.len = 16 then bgp_community.filter([(1..5, *)]);"
        " if net.len = 24 then bgp_community = -empty-;"
        " accept; }",
        [R("10.0.0.0/8", communities=["1:1", "65535:65282", "1:2"]),
         R("10.1.0.0/16", communities=["5:5", "1:1", "7:7"]), R("10.2.3.0/24", communities=["1:1"])]),
    "empty_path_and_lists": (
        "filter f { bgp_path = +empty+; bgp_large_community = ---empty---; bgp_ext_community = --empty--;"
        " bgp_community = add(-empty-, (5,5)); accept; }",
        [R("10.0.0.0/8", [1, 2], large_communities=["1:2:3"], ext_communities=["rt:1:2"])]),
    "community_sets_wildcards_ranges": (
        "filter f { if bgp_community ~ [ (64512..65534, *) ] then bgp_med = 1;"
        " if (65535,65282) ~ bgp_community then bgp_local_pref = 7;"
        " if bgp_community ~ [ (*, 100) ] then bgp_community.add((2,2)); accept; }",
        [R("10.0.0.0/8", communities=["65000:1"]), R("10.1.0.0/16", communities=["65535:65282"]),
         R("10.2.0.0/16", communities=["7:100"])]),
    "large_and_ext_communities": (
        "filter f { bgp_large_community.add((65000, 1, 2)); bgp_large_community.delete([(1, *, *)]);"
        " bgp_ext_community.add((rt, 65000, 7)); bgp_ext_community.delete((ro, 1, 1));"
        " if (rt, 1, 5) ~ bgp_ext_community then bgp_med = 5; accept; }",
        [R("10.0.0.0/8", large_communities=["1:2:3", "4:5:6"], ext_communities=["ro:1:1", "rt:1:5"])]),
    "case_values_ranges_else": (
        "filter f { case bgp_med { 1, 2: bgp_local_pref = 10; 3 .. 5: bgp_local_pref = 20;"
        " else: bgp_local_pref = 30; } accept; }",
        [R("10.0.0.0/8", med=1), R("10.1.0.0/16", med=4), R("10.2.0.0/16", med=9), R("10.3.0.0/16")]),
    "functions_bird20_syntax": (
        "function double(int x) int y; { y = x * 2; return y; }\n"
        "function gate(prefix p) { if p.len > 16 then reject; return true; }\n"
        "filter f { if gate(net) then bgp_med = double(21); accept; }",
        [R("10.0.0.0/8"), R("10.1.1.0/24")]),
    "defines_and_sets": (
        "define LONG = [ 0.0.0.0/0{25,32} ]; define ME = 65010; define BAD = [ 64512..65534 ];\n"
        "filter f { if net ~ LONG then reject; if bgp_path ~ BAD then bgp_path.delete(BAD);"
        " bgp_path.prepend(ME); accept; }",
        [R("10.0.0.0/8", [65001, 3356]), R("10.0.0.0/26", [1]), R("10.1.0.0/16", [174])]),
    "unset_vs_set_membership": (
        "filter f { if bgp_med ~ [ 1..5 ] then accept; reject; }", [R("10.0.0.0/8", med=3), R("10.1.0.0/16")]),
    "int_in_path_and_runtime_type_errors": (
        "filter f { if bgp_med ~ bgp_path then bgp_local_pref = 1;"
        " if net.len = 16 then { if bgp_path ~ [ 1.0.0.0/8 ] then accept; }"
        " if net.len = 24 then bgp_community.add([(1,2)]); accept; }",
        [R("10.0.0.0/8", [65001, 65002], med=65002), R("10.1.0.0/16", [1]), R("10.2.0.0/24", [1]),
         R("10.16.0.0/12", [1], med=7)]),
    "case_label_of_another_type": (
        "filter f { case bgp_med { (1,2): bgp_local_pref = 1; 5: bgp_local_pref = 2; else: bgp_local_pref = 3; }"
        " accept; }",
        [R("10.0.0.0/8", med=5), R("10.1.0.0/16", med=65538)]),
    "print_and_printn_formats": (
        'filter f { print "n=", net, " p=", bgp_path, " c=", bgp_community, " e=", bgp_ext_community,'
        ' " l=", bgp_large_community, " b=", true, " pr=", (1,2), " ip=", 1.2.3.4, " o=", bgp_origin,'
        ' " m=", bgp_med, " s=", [1, 2..5], " len=", bgp_path.len; printn "x"; printn 7; print "z"; accept; }',
        [R("10.0.0.0/8", [1, 2], communities=["1:2", "3:4"], ext_communities=["rt:1:2"],
           large_communities=["1:2:3"], med=9), R("10.1.0.0/16")]),
    "origin_and_next_hop": (
        "filter f { if bgp_origin = ORIGIN_IGP then bgp_origin = ORIGIN_INCOMPLETE;"
        " if bgp_next_hop = 10.1.3.4 then bgp_next_hop = 192.0.2.9; accept; }",
        [R("10.0.0.0/8", origin="igp", next_hop="10.1.3.4"), R("10.1.0.0/16", origin="egp", next_hop="10.1.3.5")]),
    "net_ip_len_and_ip_matching": (
        "filter f { if net.ip ~ 10.0.0.0/8 && net.len >= 16 && net ~ 10.0.0.0/8 then accept; reject; }",
        [R("10.0.0.0/8"), R("10.9.0.0/16"), R("11.0.0.0/16")]),
}

# Errors found when loading: both bird and nvabgpd must refuse these configurations.
LOAD_ERRORS = {
    "constant_division_by_zero": "define X = 10 / 0; filter f { accept; }",
    "missing_semicolon": "filter f { accept }",
    "bad_pattern_range": "filter f { if net ~ [ 10.0.0.0/8{4,40} ] then accept; reject; }",
    "pair_out_of_range": "filter f { bgp_community.add((65536, 1)); accept; }",
    "negative_literal": "filter f { bgp_med = -1; accept; }",
    "host_bits_in_prefix": "filter f { if net = 10.1.2.0/8 then accept; reject; }",
    "unknown_symbol": "filter f { if foo = 1 then accept; reject; }",
    "empty_path_is_not_a_clist": "filter f { bgp_community = +empty+; accept; }",
    "no_modulo_operator": "filter f { bgp_med = 7 % 2; accept; }",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_as_bird(name):
    text, routes = CASES[name]
    ok, msg = bird_check_config(text, routes)
    assert ok, f"bird rejects the case's config: {msg}"
    bird_acc, bird_errors = run_bird(text, routes)
    our_acc, our_errors, rc, stderr = run_ours(text, routes)
    assert rc == 0, stderr
    assert sorted(our_acc) == sorted(bird_acc), f"accepted set differs: ours {our_acc} bird {bird_acc}"
    for prefix, battrs in bird_acc.items():
        assert our_acc[prefix] == battrs, f"{prefix}: ours {our_acc[prefix]} bird {battrs}"
    # Runtime errors: bird logs one per failing route; we report them per route.
    assert len(our_errors) == len(bird_errors), f"ours {our_errors} bird {bird_errors}"
    # print / printn output, as bird logs it.
    assert bird_diff.OUR_PRINTS[0] == bird_diff.PRINTS[0]


@pytest.mark.parametrize("name", sorted(LOAD_ERRORS))
def test_load_errors_as_bird(name):
    text = LOAD_ERRORS[name]
    routes = [R("10.0.0.0/8")]
    ok, msg = bird_check_config(text, routes)
    assert not ok, "bird accepts this configuration"
    _, _, rc, stderr = run_ours(text, routes)
    assert rc == 2
    assert ":1:" in stderr and "error:" in stderr, stderr


# Cases whose routes arrive over BGP (gobgpd -> bird): AS_SETs and duplicate communities.
# Paths are given without gobgpd's own 65001, which is prepended on the way.
BGP_CASES = {
    "as_set_in_masks_matches_runs_and_may_be_skipped": (
        "filter f {"
        " if bgp_path ~ [= 65001 1 2 =] then bgp_community.add((10,1));"
        " if bgp_path ~ [= 65001 ? =] then bgp_community.add((10,2));"
        " if bgp_path ~ [= * 9 =] then bgp_community.add((10,3));"
        " if bgp_path ~ [= 65001 5 9 =] then bgp_community.add((10,4));"
        " if bgp_path ~ [= 65001 5 2 1 9 =] then bgp_community.add((10,5));"
        " if bgp_path ~ [= 65001 5 ? 9 =] then bgp_community.add((10,6));"
        " if bgp_path ~ [= * 3 =] then bgp_community.add((10,7));"
        " if bgp_path ~ [= 65001 5 1 1 2 9 =] then bgp_community.add((10,8));"
        " if bgp_path ~ [= 65001 ? ? =] then bgp_community.add((10,9));"
        " accept; }",
        [R("10.0.0.0/24", as_path="{1 2 3}"), R("10.1.0.0/24", as_path="5 {1 2} 9"),
         R("10.2.0.0/24", as_path="{7}"), R("10.3.0.0/24", as_path="5 9")]),
    "as_set_len_first_last": (
        "filter f { bgp_med = bgp_path.len; bgp_community.add((11, bgp_path.last));"
        " bgp_community.add((12, bgp_path.first)); accept; }",
        [R("10.0.0.0/24", as_path="{1 2 3}"), R("10.1.0.0/24", as_path="5 {1 2} 9"),
         R("10.2.0.0/24", as_path="5 {7}"), R("10.3.0.0/24", as_path="5 {7 8}")]),
    "as_set_delete_and_filter": (
        "filter f { if net.len = 24 then bgp_path.delete(2); if net.len = 25 then bgp_path.delete([1..3]);"
        " if net.len = 26 then bgp_path.filter([1, 9, 65001]); accept; }",
        [R("10.0.0.0/24", as_path="5 {1 2} 2 9"), R("10.1.0.0/25", as_path="{1 2 3} 4"),
         R("10.2.0.0/26", as_path="5 {1 2} 9")]),
    # Deleting a community received twice is left out on purpose: bird 2.0.12's int_set_del
    # sizes its result for one occurrence and leaves a garbage word behind (seen as e.g.
    # (1,61441)); we remove every copy, as BIRD's documentation says.
    "received_duplicate_communities_are_kept": (
        "filter f { bgp_community.add((1,1)); if net.len = 25 then bgp_community.delete((2,2));"
        " if net.len = 26 then bgp_community.add((3,3)); if (2,2) ~ bgp_community then bgp_med = bgp_community.len;"
        " bgp_local_pref = bgp_community.len; accept; }",
        [R("10.0.0.0/24", as_path="5", communities=["1:1", "1:1", "2:2"]),
         R("10.1.0.0/25", as_path="5", communities=["1:1", "2:2", "1:1"]),
         R("10.2.0.0/26", as_path="5", communities=["2:2", "2:2"])]),
}


@pytest.mark.parametrize("name", sorted(BGP_CASES))
def test_same_as_bird_over_bgp(name):
    text, routes = BGP_CASES[name]
    bird_acc, bird_errors = run_bird_bgp(text, routes)
    our_acc, our_errors, rc, stderr = run_ours(text, bgp_fed_routes(routes))
    assert rc == 0, stderr
    assert sorted(our_acc) == sorted(bird_acc), f"accepted set differs: ours {our_acc} bird {bird_acc}"
    for prefix, battrs in bird_acc.items():
        assert our_acc[prefix] == battrs, f"{prefix}: ours {our_acc[prefix]} bird {battrs}"
    assert len(our_errors) == len(bird_errors), f"ours {our_errors} bird {bird_errors}"
