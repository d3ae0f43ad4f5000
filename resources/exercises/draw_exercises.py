"""Draw the exercise illustrations (SVG line drawings made for ptassist).

    python resources/exercises/draw_exercises.py

Each drawing shows the start position as a dashed mid-grey outline and the end position solid in
dark blue-grey (dashed against solid survives greyscale printing, where pale grey vanished), and an
orange arrow for the movement, with simple props (floor, mat, wall, chair, step, band). The SVGs
use only lines, circles, rectangles and polygons so that any SVG reader shows them the same.
"""

from __future__ import annotations

import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
W, H = 240, 150
DARK, PALE, FAR, ACCENT, PROP = "#24465e", "#6f8290", "#7d93a5", "#e07b1f", "#aab6c0"
START_DASH = "7 5"  # the start figure (PALE) is drawn dashed
FLOOR = 136

Point = tuple[float, float]


def _line(a: Point, b: Point, color: str, width: float, dash: str = "") -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    cap = "butt" if dash == START_DASH else "round"
    return (f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" stroke="{color}" '
            f'stroke-width="{width}" stroke-linecap="{cap}"{extra}/>')


def figure(pose: dict[str, Point], color: str, far_color: str | None = None) -> list[str]:
    """A pictogram person: far limbs first (lighter), then torso, near limbs and head."""
    far_color = far_color or color
    start = color == PALE
    dash = START_DASH if start else ""
    out: list[str] = []
    for side, shade in (("f", far_color), ("n", color)):
        if side == "n":
            out.append(_line(pose["neck"], pose["hip"], color, 9, dash))
        chain_leg = [pose.get(f"hip_{side}", pose["hip"]), pose.get(f"knee_{side}"), pose.get(f"ankle_{side}"),
                     pose.get(f"toe_{side}")]
        chain_arm = [pose.get(f"shoulder_{side}", pose["neck"]), pose.get(f"elbow_{side}"), pose.get(f"hand_{side}")]
        for chain, width in ((chain_leg, 7), (chain_arm, 5)):
            points = [p for p in chain if p is not None]
            for a, b in zip(points, points[1:], strict=False):
                out.append(_line(a, b, shade, width, dash))
    hx, hy = pose["head"]
    if start:
        out.append(f'<circle cx="{hx:.1f}" cy="{hy:.1f}" r="8" fill="#ffffff" stroke="{color}" stroke-width="3" '
                   f'stroke-dasharray="5 3"/>')
    else:
        out.append(f'<circle cx="{hx:.1f}" cy="{hy:.1f}" r="9" fill="{color}"/>')
    return out


def arrow(points: list[Point]) -> list[str]:
    """A polyline with an arrowhead at its end."""
    out = [_line(a, b, ACCENT, 3) for a, b in zip(points, points[1:], strict=False)]
    (x1, y1), (x2, y2) = points[-2], points[-1]
    angle = math.atan2(y2 - y1, x2 - x1)
    left = (x2 - 9 * math.cos(angle - 0.45), y2 - 9 * math.sin(angle - 0.45))
    right = (x2 - 9 * math.cos(angle + 0.45), y2 - 9 * math.sin(angle + 0.45))
    out.append(f'<polygon points="{x2:.1f},{y2:.1f} {left[0]:.1f},{left[1]:.1f} {right[0]:.1f},{right[1]:.1f}" '
               f'fill="{ACCENT}"/>')
    return out


def arc(center: Point, radius: float, start: float, end: float, steps: int = 8) -> list[Point]:
    """Points along a circular arc (degrees, SVG orientation) for a curved arrow."""
    return [
        (center[0] + radius * math.cos(math.radians(start + (end - start) * i / steps)),
         center[1] + radius * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]


def floor() -> list[str]:
    return [_line((8, FLOOR + 4), (W - 8, FLOOR + 4), PROP, 2)]


def mat(x1: float = 14, x2: float = 226) -> list[str]:
    return [f'<rect x="{x1}" y="{FLOOR + 1}" width="{x2 - x1}" height="5" rx="2" fill="#e6ecf0"/>'] + floor()


def wall(x: float) -> list[str]:
    return [f'<rect x="{x - 6}" y="12" width="6" height="{FLOOR - 8}" fill="#e6ecf0"/>', _line((x, 12), (x, FLOOR + 4), PROP, 2)]


def chair(x: float, seat: float = 96, facing: int = 1) -> list[str]:
    back = x - 22 * facing
    return [
        _line((back, seat), (x + 18 * facing, seat), PROP, 4),
        _line((back, seat), (back, 52), PROP, 4),
        _line((back, seat), (back, FLOOR + 4), PROP, 3),
        _line((x + 16 * facing, seat), (x + 16 * facing, FLOOR + 4), PROP, 3),
    ]


def band(a: Point, b: Point) -> list[str]:
    return [_line(a, b, ACCENT, 3, dash="5 4")]


def svg(title: str, parts: list[str]) -> str:
    body = "\n  ".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">\n'
            f"  <title>{title}</title>\n  <rect width=\"{W}\" height=\"{H}\" fill=\"#ffffff\"/>\n  {body}\n</svg>\n")


def lying_side(hip_x: float = 120, top_leg: tuple[Point, Point] | None = None, knees_bent: bool = True) -> dict[str, Point]:
    pose: dict[str, Point] = {
        "head": (34, 110), "neck": (50, 120), "hip": (hip_x, 124),
        "elbow_f": (40, 130), "hand_f": (26, 116),
        "elbow_n": (80, 112), "hand_n": (104, 114),
    }
    if knees_bent:
        pose.update({"knee_f": (150, 132), "ankle_f": (178, 132)})
    else:
        pose.update({"knee_f": (160, 130), "ankle_f": (200, 132)})
    knee, ankle = top_leg or ((160, 122), (200, 122))
    pose.update({"knee_n": knee, "ankle_n": ankle})
    return pose


def standing(x: float = 110, lean: float = 0) -> dict[str, Point]:
    return {
        "head": (x + lean, 22), "neck": (x + lean * 0.8, 38), "hip": (x, 84),
        "knee_n": (x + 2, 110), "ankle_n": (x, FLOOR - 2), "toe_n": (x + 12, FLOOR),
        "knee_f": (x - 4, 110), "ankle_f": (x - 6, FLOOR - 2), "toe_f": (x + 6, FLOOR),
        "elbow_n": (x + 4 + lean, 62), "hand_n": (x + 6 + lean, 84),
        "elbow_f": (x - 4 + lean, 62), "hand_f": (x - 6 + lean, 84),
    }


def supine(hip: Point = (110, 126), knee_n: Point = (150, 100), ankle_n: Point = (165, 128)) -> dict[str, Point]:
    return {
        "head": (30, 124), "neck": (46, 128), "hip": hip,
        "knee_n": knee_n, "ankle_n": ankle_n, "toe_n": (ankle_n[0] + 12, ankle_n[1] + 2),
        "knee_f": (knee_n[0] - 4, knee_n[1] + 2), "ankle_f": (ankle_n[0] - 6, ankle_n[1]),
        "elbow_n": (66, 132), "hand_n": (88, 132), "elbow_f": (62, 130), "hand_f": (84, 130),
    }


def prone(head: Point = (30, 122), neck: Point = (46, 126), elbow: Point = (60, 132), hand: Point = (84, 132)) -> dict[str, Point]:
    return {
        "head": head, "neck": neck, "hip": (122, 128),
        "knee_n": (164, 129), "ankle_n": (204, 129), "toe_n": (212, 134),
        "knee_f": (162, 130), "ankle_f": (200, 130),
        "elbow_n": elbow, "hand_n": hand, "elbow_f": elbow, "hand_f": hand,
    }


def drawings() -> dict[str, list[str]]:
    d: dict[str, list[str]] = {}
    d["side_lying_hip_abduction"] = (
        mat() + figure(lying_side(top_leg=((160, 122), (200, 122))), PALE)
        + figure(lying_side(top_leg=((158, 104), (196, 86))), DARK, FAR) + arrow(arc((120, 124), 92, -4, -22))
    )
    step = ['<rect x="86" y="112" width="60" height="28" rx="2" fill="#e6ecf0" stroke="#aab6c0" stroke-width="2"/>']
    hike_still = {"head": (116, 10), "neck": (116, 26), "hip": (116, 70), "hip_n": (110, 70), "knee_n": (110, 92),
                  "ankle_n": (110, 112), "toe_n": (120, 112), "elbow_n": (98, 46), "hand_n": (82, 54),
                  "elbow_f": (130, 48), "hand_f": (132, 70)}
    d["hip_hike"] = (
        floor() + step + [_line((80, 40), (80, FLOOR + 4), PROP, 3)]
        + figure({**hike_still, "hip_f": (124, 74), "knee_f": (128, 100), "ankle_f": (128, 128)}, PALE)
        + figure({**hike_still, "hip_f": (124, 64), "knee_f": (128, 88), "ankle_f": (128, 114)}, DARK, FAR)
        + arrow([(152, 118), (152, 92)])
    )
    squat = {"head": (96, 40), "neck": (100, 55), "hip": (88, 96), "knee_n": (116, 112), "ankle_n": (100, FLOOR - 2),
             "toe_n": (114, FLOOR), "knee_f": (114, 96), "ankle_f": (140, 110), "elbow_n": (118, 66),
             "hand_n": (140, 70), "elbow_f": (116, 64), "hand_f": (138, 66)}
    d["single_leg_squat"] = (
        floor() + [f'<rect x="170" y="70" width="50" height="70" fill="#e6ecf0"/>']
        + figure({**standing(100), "knee_f": (112, 100), "ankle_f": (132, 112)}, PALE)
        + figure(squat, DARK, FAR) + arrow([(64, 60), (64, 96)])
    )
    kneel_plank = {"head": (46, 72), "neck": (60, 82), "hip": (124, 110), "knee_n": (160, 132), "ankle_n": (138, 112),
                   "knee_f": (162, 132), "ankle_f": (140, 114), "elbow_f": (62, 132), "hand_f": (86, 132),
                   "elbow_n": (88, 96), "hand_n": (112, 104)}
    d["side_plank_modified"] = (
        mat() + figure({**kneel_plank, "head": (40, 108), "neck": (56, 116), "hip": (124, 130)}, PALE)
        + figure(kneel_plank, DARK, FAR) + arrow([(124, 138), (124, 118)])
    )
    plank = {"head": (40, 66), "neck": (54, 76), "hip": (124, 104), "knee_f": (164, 120), "ankle_f": (204, 134),
             "elbow_f": (56, 132), "hand_f": (80, 132), "elbow_n": (84, 88), "hand_n": (110, 98)}
    d["side_plank_with_abduction"] = (
        mat() + figure({**plank, "knee_n": (166, 118), "ankle_n": (206, 132)}, PALE)
        + figure({**plank, "knee_n": (166, 98), "ankle_n": (206, 88)}, DARK, FAR) + arrow(arc((124, 104), 100, 8, -6))
    )
    d["bridge"] = (
        mat() + figure(supine(), PALE)
        + figure(supine(hip=(106, 98), knee_n=(150, 84), ankle_n=(160, 128)), DARK, FAR) + arrow([(106, 132), (106, 104)])
    )
    d["single_leg_bridge"] = (
        mat() + figure({**supine(), "knee_f": (150, 90), "ankle_f": (190, 86)}, PALE)
        + figure({**supine(hip=(106, 98), knee_n=(150, 84), ankle_n=(160, 128)), "knee_f": (150, 82),
                  "ankle_f": (192, 66)}, DARK, FAR)
        + arrow([(100, 132), (100, 106)])
    )
    walk = {"head": (120, 24), "neck": (120, 40), "hip": (120, 84), "hip_n": (128, 84), "hip_f": (112, 84),
            "knee_n": (142, 108), "ankle_n": (148, FLOOR), "knee_f": (98, 108), "ankle_f": (92, FLOOR),
            "elbow_n": (134, 60), "hand_n": (136, 80), "elbow_f": (106, 60), "hand_f": (104, 80)}
    d["banded_lateral_walk"] = (
        floor() + figure({**walk, "knee_n": (132, 110), "ankle_n": (134, FLOOR)}, PALE)
        + figure(walk, DARK, FAR) + band((98, 106), (142, 106)) + arrow([(160, 70), (200, 70)])
    )
    tke = {**standing(110), "knee_n": (118, 110), "ankle_n": (112, FLOOR - 2)}
    d["terminal_knee_extension"] = (
        floor() + [f'<rect x="200" y="{FLOOR - 14}" width="16" height="18" fill="#e6ecf0" stroke="{PROP}"/>']
        + figure(tke, PALE) + figure(standing(110), DARK, FAR) + band((110, 108), (204, 126))
        + arrow([(132, 110), (116, 110)])
    )
    stretch = {"head": (146, 26), "neck": (140, 42), "hip": (112, 84), "hip_n": (110, 84), "knee_n": (118, 110),
               "ankle_n": (126, FLOOR), "hip_f": (116, 84), "knee_f": (108, 110), "ankle_f": (100, FLOOR),
               "elbow_n": (104, 44), "hand_n": (76, 46), "elbow_f": (156, 60), "hand_f": (150, 80)}
    d["standing_itb_stretch"] = (
        floor() + wall(74) + figure({**stretch, "head": (124, 22), "neck": (122, 38), "hip": (120, 84)}, PALE)
        + figure(stretch, DARK, FAR) + arrow([(126, 94), (100, 94)])
    )
    runner = {"head": (126, 24), "neck": (122, 40), "hip": (112, 82), "knee_n": (138, 100), "ankle_n": (132, 126),
              "toe_n": (144, 128), "knee_f": (100, 106), "ankle_f": (78, 118), "toe_f": (72, 112),
              "elbow_n": (136, 60), "hand_n": (150, 50), "elbow_f": (108, 58), "hand_f": (96, 72)}
    d["return_to_running"] = (
        floor() + figure(runner, DARK, FAR)
        + [f'<circle cx="{x}" cy="146" r="3" fill="{ACCENT if i % 2 == 0 else PROP}"/>' for i, x in enumerate(range(24, 230, 24))]
    )
    d["training_error_advice"] = (
        [_line((8, 120), (232, 144), PROP, 3), _line((8, 126), (232, 150), "#e6ecf0", 6)]
        + figure({k: (x, y + (x - 110) * 0.1 - 12) for k, (x, y) in runner.items()}, DARK, FAR)
        + arrow([(180, 118), (210, 126)])
    )
    d["prone_lying"] = mat() + figure(prone(), DARK, FAR)
    d["prone_on_elbows"] = (
        mat() + figure(prone(), PALE)
        + figure(prone(head=(44, 78), neck=(54, 94), elbow=(58, 132), hand=(82, 132)), DARK, FAR)
        + arrow(arc((122, 128), 86, 190, 210))
    )
    d["prone_press_up"] = (
        mat() + figure(prone(elbow=(46, 116), hand=(62, 132)), PALE)
        + figure(prone(head=(50, 50), neck=(58, 66), elbow=(60, 100), hand=(64, 132)), DARK, FAR)
        + arrow(arc((122, 128), 92, 196, 228))
    )
    backbend = {**standing(110), "head": (90, 28), "neck": (97, 43), "elbow_n": (80, 60), "hand_n": (100, 78),
                "elbow_f": (84, 58), "hand_f": (102, 76), "knee_n": (114, 110), "knee_f": (108, 110)}
    d["standing_extension"] = (
        floor() + figure(standing(110), PALE) + figure(backbend, DARK, FAR) + arrow(arc((110, 84), 56, -80, -115))
    )
    seated = {"head": (104, 26), "neck": (104, 42), "hip": (104, 90), "knee_n": (146, 92), "ankle_n": (146, FLOOR),
              "toe_n": (158, FLOOR), "knee_f": (144, 94), "ankle_f": (142, FLOOR), "elbow_n": (112, 64),
              "hand_n": (132, 80), "elbow_f": (110, 64), "hand_f": (130, 78)}
    d["sitting_posture"] = (
        floor() + chair(104) + figure(seated, DARK, FAR) + [f'<circle cx="90" cy="76" r="7" fill="{ACCENT}"/>']
    )
    slider = {"head": (30, 124), "neck": (46, 128), "hip": (110, 128), "knee_n": (124, 84), "knee_f": (150, 128),
              "ankle_f": (196, 128), "elbow_n": (84, 106), "hand_n": (116, 92), "elbow_f": (84, 108), "hand_f": (114, 96)}
    d["supine_nerve_slider"] = (
        mat() + figure({**slider, "ankle_n": (160, 104), "toe_n": (164, 116)}, PALE)
        + figure({**slider, "ankle_n": (166, 62), "toe_n": (176, 58)}, DARK, FAR) + arrow(arc((124, 84), 46, 40, -18))
    )
    seated_slider = {**seated, "head": (108, 22), "knee_n": (146, 92)}
    d["seated_nerve_slider"] = (
        floor() + chair(104) + figure({**seated_slider, "head": (104, 28)}, PALE)
        + figure({**seated_slider, "ankle_n": (188, 84), "toe_n": (192, 72), "head": (100, 24)}, DARK, FAR)
        + arrow(arc((146, 92), 42, 88, 12))
    )
    top = {"head": (120, 18), "neck": (120, 34), "hip": (120, 84), "hip_n": (128, 84), "hip_f": (112, 84),
           "elbow_n": (146, 58), "hand_n": (152, 84), "elbow_f": (94, 58), "hand_f": (88, 84)}
    d["isometric_hip_abduction"] = (
        [f'<rect x="70" y="6" width="100" height="140" rx="8" fill="#eef2f5"/>']
        + figure({**top, "knee_n": (134, 112), "ankle_n": (138, 140), "knee_f": (106, 112), "ankle_f": (102, 140)},
                 DARK, DARK)
        + [f'<ellipse cx="120" cy="112" rx="20" ry="6" fill="none" stroke="{ACCENT}" stroke-width="3"/>']
        + arrow([(150, 112), (170, 112)]) + arrow([(90, 112), (70, 112)])
    )
    d["gluteal_load_advice"] = (
        mat() + [f'<ellipse cx="160" cy="122" rx="20" ry="7" fill="{ACCENT}" opacity="0.8"/>']
        + figure(lying_side(top_leg=((160, 114), (182, 128))), DARK, FAR)
    )
    d["sit_to_stand"] = (
        floor() + chair(100) + figure(seated, PALE) + figure({**standing(146), "toe_n": (158, FLOOR)}, DARK, FAR)
        + arrow([(110, 60), (136, 40)])
    )
    d["meralgia_advice"] = (
        floor() + figure(standing(120), DARK, FAR)
        + [_line((104, 84), (136, 84), ACCENT, 4, dash="4 3")] + arrow([(140, 84), (162, 84)]) + arrow([(100, 84), (78, 84)])
    )
    d["straight_leg_raise_exercise"] = (
        mat() + figure({**supine(knee_n=(150, 128), ankle_n=(196, 128)), "knee_f": (146, 100), "ankle_f": (160, 128)},
                       PALE)
        + figure({**supine(knee_n=(150, 112), ankle_n=(190, 96)), "hip": (110, 126), "knee_f": (146, 100),
                  "ankle_f": (160, 128)}, DARK, FAR)
        + arrow(arc((110, 126), 96, -2, -20))
    )
    wall_sit = {"head": (76, 40), "neck": (76, 56), "hip": (80, 100), "knee_n": (122, 100), "ankle_n": (118, FLOOR),
                "toe_n": (130, FLOOR), "knee_f": (120, 102), "ankle_f": (114, FLOOR), "elbow_n": (86, 80),
                "hand_n": (96, 98), "elbow_f": (84, 80), "hand_f": (94, 98)}
    d["wall_squat"] = (
        floor() + wall(64) + figure({**standing(80), "ankle_n": (104, FLOOR - 2), "toe_n": (116, FLOOR),
                                      "knee_n": (92, 110), "knee_f": (88, 110), "ankle_f": (100, FLOOR - 2)}, PALE)
        + figure(wall_sit, DARK, FAR) + arrow([(150, 50), (150, 86)])
    )
    clam = lying_side(top_leg=((150, 126), (176, 132)))
    d["clamshell"] = (
        mat() + figure(clam, PALE) + figure({**clam, "knee_n": (146, 100)}, DARK, FAR)
        + arrow(arc((120, 124), 36, -20, -60))
    )
    return d


def main() -> None:
    for name, parts in drawings().items():
        (HERE / f"{name}.svg").write_text(svg(name.replace("_", " "), parts), encoding="utf-8")
        print(name)


if __name__ == "__main__":
    main()
