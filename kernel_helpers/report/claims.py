"""The claims we test (notebook 00) and the thresholds that turn a measured number into a
word of theirs ("milliseconds", "several seconds", "several MBs"): named once, so every
verdict and plot reads the same words and a test can reason about them."""

from __future__ import annotations

CLAIM_STARTUP = "wasm starts in milliseconds, compared to several seconds for Docker containers"
CLAIM_SIZE = "wasm modules are several MBs, container images tens or hundreds of MBs"
CLAIM_SPEED = "once started, wasm runs at near-native speed"
#: Jangda et al., "Not So Fast", USENIX ATC 2019: SPEC CPU in Chrome and Firefox.
PUBLISHED_SLOWDOWN = (1.45, 1.55)
IN_LINE_UP_TO = 1.8  # a little above the published range still reads "in line" on a noisy laptop

#: Thresholds that turn a number into a word; named so a test can reason about them.
MILLISECONDS_AT_MOST_S = 0.1  # "milliseconds" still holds up to about a tenth of a second
SEVERAL_SECONDS_FROM_S = 2.0
ABOUT_A_SECOND_FROM_S = 0.8
SEVERAL_MB = (1e6, 50e6)
TENS_OF_MB_FROM = 10e6
