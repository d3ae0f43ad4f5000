"""The conditions the rule set reasons about, by id: a module of its own so that the exercise
library can check its condition ids without loading the rule engine (printing a signed visit's
sheet needs the library, not the engine)."""

CONDITION_IDS = (
    "itbs",
    "lumbar_radicular",
    "meralgia_paresthetica",
    "fibular_neuropathy",
    "gtps",
    "hip_oa",
    "lateral_meniscus",
    "lcl_injury",
    "patellofemoral_pain",
    "ptfj_dysfunction",
    "biceps_femoris_tendinopathy",
    "popliteus_tendinopathy",
    "bone_stress_injury",
)
