"""Draws the built-in exercise illustrations (static/exercises/illustrations/<slug>.svg).

Standard library only. Run from the repository root:

    python tools/draw_illustrations.py

Each picture is a simple line figure (a stick figure with thick rounded strokes, built from
joint angles or reach targets), the props it needs and a soft orange patch where the client
should feel the exercise. The exercise names come from exercises/library.py, so the <title>
always matches the library.

The limbs that do the work are drawn in colour (WORK; a paler WORK_FAR when they are on the
far side of the body), so a client sees at a glance which arm or leg the steps mean: for
"each side in turn" the side the steps name first (most say "right"), for "both sides at
once" both. WORKING below says, for every exercise, which limbs those are; a picture whose
work is in the head, the jaw or the trunk colours none, and its orange patch shows where.
Side views show the figure's right side nearest when it faces right; front views the
figure's right on the viewer's left (mirrored scenes swap that).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "exercises" / "illustrations"

INK = "#1f3a4d"      # the figure
FAR = "#9db0bd"      # limbs on the far side of the body
PROP = "#56707f"     # outlines of props
HOT = "#f28c28"      # where you feel it
ARROW = "#d9661a"
WORK = "#7a3fc8"     # the limbs that work: the side the steps name
WORK_FAR = "#c3a8ee"  # the same, on the far side of the body
F = 258              # floor line

LIMB, TORSO, HEAD_R = 11, 15, 17


# ----------------------------------------------------------------------------- geometry
def pol(p, ang, length):
    a = math.radians(ang)
    return (p[0] + length * math.cos(a), p[1] + length * math.sin(a))


def ik(start, target, l1, l2, bend=1):
    """Two-segment reach: the middle joint when the end touches target (or points at it)."""
    dx, dy = target[0] - start[0], target[1] - start[1]
    d = math.hypot(dx, dy)
    base = math.degrees(math.atan2(dy, dx))
    if d >= l1 + l2 - 0.01:
        return pol(start, base, l1), pol(start, base, l1 + l2)
    a = math.degrees(math.acos(max(-1, min(1, (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)))))
    return pol(start, base + bend * a, l1), target


def fmt(v):
    return f"{v:.0f}" if abs(v - round(v)) < 0.05 else f"{v:.1f}"


def pts(points):
    return " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)


def line(points, color=INK, width=LIMB, extra=""):
    if len(points) == 2:
        (x1, y1), (x2, y2) = points
        return (f'<line x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}" '
                f'stroke="{color}" stroke-width="{width}"{extra}/>')
    return f'<polyline points="{pts(points)}" stroke="{color}" stroke-width="{width}"{extra}/>'


# ----------------------------------------------------------------------------- figure
def limb(start, spec, lens):
    """spec: tuple of absolute angles, or dict(to=(x, y), bend=±1[, foot=angle])."""
    if isinstance(spec, dict):
        mid, end = ik(start, spec["to"], lens[0], lens[1], spec.get("bend", 1))
        out = [start, mid, end]
        if "foot" in spec:
            out.append(pol(end, spec["foot"], lens[2]))
        return out
    out = [start]
    for ang, length in zip(spec, lens):
        out.append(pol(out[-1], ang, length))
    return out


class Fig:
    """A figure. Side view: hip is the root, torso the angle from hip to neck. Front view
    (front=True): the same, plus shoulder and hip bars across the body."""

    def __init__(self, hip, torso=-90, head=None, arms=(), legs=(), far_arms=(), far_legs=(),
                 front=False, arch=0, tl=72, neck=23, shrug=0, head_r=HEAD_R, arm_lens=(44, 40),
                 leg_lens=(52, 50, 17), facing=1, face=None, back=False, look=(0, 0), front_face=False,
                 work=None):
        self.hip, self.torso_ang, self.arch, self.front = hip, torso, arch, front
        # Which limbs work ("arm", "far_leg", "leg0"…): by default what WORKING says for
        # the picture being drawn.
        self.work = frozenset(_working if work is None else work)
        # Which way the face looks. Side view: a nose and an eye, on the side of the head the
        # body faces (facing=1: the front of the body is a quarter turn clockwise from the
        # line neck to head; -1: the other way), or at the angle `face`. Front view: two
        # eyes, or none and a parting from behind (back=True).
        self.facing, self.face, self.back, self.look = facing, face, back, look
        self.front_face = front_face  # lying on the side, facing the viewer: eyes, not a nose
        self.neck = pol(hip, torso, tl)
        self.head = pol(self.neck, torso if head is None else head, neck)
        self.head_r = head_r
        perp = torso + 90
        if front:
            base = pol(self.neck, torso + 180, 5 - shrug)
            self.shoulders = [pol(base, perp, -24), pol(base, perp, 24)]   # viewer's left, right
            self.hips = [pol(hip, perp, -13), pol(hip, perp, 13)]
        else:
            sh = pol(self.neck, torso + 180, 7)
            self.shoulders = [sh, sh]
            self.hips = [hip, hip]
        self.arms = [limb(self.shoulders[i if front else 0], s, arm_lens) for i, s in enumerate(arms)]
        self.far_arms = [limb(self.shoulders[i if front else 0], s, arm_lens) for i, s in enumerate(far_arms)]
        self.legs = [limb(self.hips[i if front else 0], s, leg_lens) for i, s in enumerate(legs)]
        self.far_legs = [limb(self.hips[i if front else 0], s, leg_lens) for i, s in enumerate(far_legs)]

    def along(self, t, off=0):
        """A point t (0 hip .. 1 neck) along the torso, off px to its 'front' (left of travel)."""
        x = self.hip[0] + (self.neck[0] - self.hip[0]) * t
        y = self.hip[1] + (self.neck[1] - self.hip[1]) * t
        return pol((x, y), self.torso_ang - 90, off) if off else (x, y)

    def ink(self, kind, i, far=False):
        if kind in self.work or f"{kind}{i}" in self.work:
            return WORK_FAR if far else WORK
        return FAR if far else INK

    def svg(self):
        out = [line(p, self.ink("far_arm", i, far=True)) for i, p in enumerate(self.far_arms)]
        out += [line(p, self.ink("far_leg", i, far=True)) for i, p in enumerate(self.far_legs)]
        if self.arch:
            mid = pol(self.along(0.5), self.torso_ang - 90, self.arch)
            out.append(f'<path d="M{pts([self.hip])} Q{pts([mid])} {pts([self.neck])}" '
                       f'stroke="{INK}" stroke-width="{TORSO}"/>')
        else:
            out.append(line([self.hip, self.neck], INK, TORSO))
        if self.front:
            out.append(line(self.shoulders, INK, LIMB + 1))
            out.append(line(self.hips, INK, LIMB + 1))
            # The half of the shoulders or hips a working limb hangs from, in its colour.
            middle = pol(self.neck, self.torso_ang + 180, 5)
            for i, (sh, hp) in enumerate(zip(self.shoulders, self.hips)):
                if i < len(self.arms) and self.ink("arm", i) == WORK:
                    out.append(line([sh, middle], WORK, LIMB + 1))
                if i < len(self.legs) and self.ink("leg", i) == WORK:
                    out.append(line([hp, self.hip], WORK, LIMB + 1))
        out += [line(p, self.ink("leg", i)) for i, p in enumerate(self.legs) if p]
        out += [line(p, self.ink("arm", i)) for i, p in enumerate(self.arms) if p]
        neck_end = pol(self.neck, math.degrees(math.atan2(self.head[1] - self.neck[1],
                                                          self.head[0] - self.neck[0])), 6)
        out.append(line([self.neck, neck_end], INK, LIMB))
        x, y = self.head
        out.append(f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{self.head_r}" fill="#fff" '
                   f'stroke="{INK}" stroke-width="7"/>')
        out.append(self.face_svg())
        return "\n".join(out)

    def face_svg(self):
        x, y = self.head
        r = self.head_r
        if self.front or self.front_face:
            if self.back:  # seen from behind: hair and a parting, no face
                return (f'<path d="M{fmt(x - r + 2)} {fmt(y - 3)} Q{fmt(x)} {fmt(y - r - 10)} {fmt(x + r - 2)} {fmt(y - 3)}" '
                        f'stroke="{INK}" stroke-width="6"/>' + line([(x, y - r + 1), (x, y - r + 9)], INK, 3))
            lx, ly = self.look  # where the eyes look, as a shift of the face
            return (f'<circle cx="{fmt(x - 6 + lx)}" cy="{fmt(y - 2 + ly)}" r="2.6" fill="{INK}" stroke="none"/>'
                    f'<circle cx="{fmt(x + 6 + lx)}" cy="{fmt(y - 2 + ly)}" r="2.6" fill="{INK}" stroke="none"/>'
                    f'<path d="M{fmt(x - 5 + lx)} {fmt(y + 7 + ly)} Q{fmt(x + lx)} {fmt(y + 10 + ly)} {fmt(x + 5 + lx)} {fmt(y + 7 + ly)}" '
                    f'stroke="{INK}" stroke-width="2.5"/>')
        head_dir = math.degrees(math.atan2(y - self.neck[1], x - self.neck[0]))
        ang = self.face if self.face is not None else head_dir + 90 * self.facing
        tip = pol(self.head, ang, r + 9)
        base1, base2 = pol(self.head, ang - 22, r + 1), pol(self.head, ang + 22, r + 1)
        eye = pol(pol(self.head, ang, r * .45), ang - 90 * self.facing, r * .32)
        return (f'<path d="M{pts([base1])} L{pts([tip])} L{pts([base2])}" fill="#fff" stroke="{INK}" stroke-width="5"/>'
                f'<circle cx="{fmt(eye[0])}" cy="{fmt(eye[1])}" r="2.8" fill="{INK}" stroke="none"/>')


_working: frozenset[str] = frozenset()  # WORKING's entry for the picture being drawn


def tint(part: str) -> str:
    """For a close-up drawn without a figure (a forearm, a hand): WORK if that part works."""
    return WORK if part in _working else INK


# ----------------------------------------------------------------------------- props
def floor(x1=20, x2=380, y=F):
    return f'<line x1="{x1}" y1="{y + 5}" x2="{x2}" y2="{y + 5}" stroke="{PROP}" stroke-width="4" opacity=".45"/>'


def mat(x1, x2):
    return f'<rect x="{x1}" y="{F - 1}" width="{x2 - x1}" height="7" rx="3" fill="#d6e4ec"/>'


def wall(x, side="left", top=24):
    if side == "left":
        return (f'<rect x="0" y="{top}" width="{x}" height="{F + 7 - top}" fill="#e9eff3"/>'
                + line([(x, top), (x, F + 7)], PROP, 5))
    return (f'<rect x="{x}" y="{top}" width="{400 - x}" height="{F + 7 - top}" fill="#e9eff3"/>'
            + line([(x, top), (x, F + 7)], PROP, 5))


def chair(x, seat, facing="right", back=True, width=58):
    """Side view. x = front edge of the seat, seat = seat height (y). Facing = way the sitter looks."""
    d = -1 if facing == "right" else 1
    bx = x + d * width
    parts = [line([(x, seat), (bx, seat)], PROP, 7), line([(x - 3 * d, seat), (x - 3 * d, F + 4)], PROP, 6),
             line([(bx + 3 * d, seat), (bx + 3 * d, F + 4)], PROP, 6)]
    if back:
        parts.append(line([(bx + 3 * d, seat), (bx + 8 * d, seat - 68)], PROP, 6))
    return "".join(parts)


def chair_front(cx, seat, width=84, back_top=None):
    parts = []
    if back_top:
        parts.append(f'<rect x="{cx - width / 2 + 8}" y="{back_top}" width="{width - 16}" '
                     f'height="{seat - back_top}" rx="6" fill="#e9eff3" stroke="{PROP}" stroke-width="5"/>')
    parts += [line([(cx - width / 2, seat), (cx + width / 2, seat)], PROP, 8),
              line([(cx - width / 2 + 4, seat), (cx - width / 2 + 4, F + 4)], PROP, 6),
              line([(cx + width / 2 - 4, seat), (cx + width / 2 - 4, F + 4)], PROP, 6)]
    return "".join(parts)


def ball(c, r=11):
    x, y = c
    return (f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{r}" fill="#d7e35a" stroke="{PROP}" stroke-width="3"/>'
            f'<path d="M{fmt(x - r * .7)} {fmt(y - r * .7)}Q{fmt(x)} {fmt(y)} {fmt(x - r * .7)} {fmt(y + r * .7)}" '
            f'stroke="#fff" stroke-width="2.5"/>')


def spiky(c, r=11):
    x, y = c
    spikes = "".join(line([pol(c, a, r), pol(c, a, r + 4)], "#c2577c", 3) for a in range(0, 360, 30))
    return spikes + f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{r}" fill="#ef86a8" stroke="#c2577c" stroke-width="3"/>'


def roller(c, r=17):
    x, y = c
    return (f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{r}" fill="#8dc0d8" stroke="{PROP}" stroke-width="3"/>'
            f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{r * .4:.0f}" fill="none" stroke="{PROP}" stroke-width="2"/>')


def bottle(c, r=12):
    x, y = c
    return (f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{r}" fill="#cfeaf8" stroke="{PROP}" stroke-width="3"/>'
            f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="5" fill="#6aa9c8"/>')


def towel(points, width=7):
    return line(points, "#5aa2b8", width)


def band(points):
    return line(points, "#3fa57a", 5)


def pillow(x, y, w, h=14):
    return (f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{w}" height="{h}" rx="{h / 2:.0f}" fill="#f5eedf" '
            f'stroke="{PROP}" stroke-width="3"/>')


def box(x, y, w, h, fill="#e9eff3"):
    return f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{w}" height="{h}" fill="{fill}" stroke="{PROP}" stroke-width="4"/>'


def hl(c, rx, ry=None, rot=0, op=".38"):
    x, y = c
    t = f' transform="rotate({rot:.0f} {fmt(x)} {fmt(y)})"' if rot else ""
    return f'<ellipse cx="{fmt(x)}" cy="{fmt(y)}" rx="{rx}" ry="{ry or rx}" fill="{HOT}" opacity="{op}"{t}/>'


def arrow(p0, p1, bend=0, both=False):
    """A curved arrow from p0 to p1; bend bows it sideways by that many px."""
    mid = ((p0[0] + p1[0]) / 2, (p0[1] + p1[1]) / 2)
    ang = math.degrees(math.atan2(p1[1] - p0[1], p1[0] - p0[0]))
    c = pol(mid, ang - 90, bend)
    out = [f'<path d="M{pts([p0])} Q{pts([c])} {pts([p1])}" stroke="{ARROW}" stroke-width="4"/>']

    def head(tip, frm):
        a = math.degrees(math.atan2(tip[1] - frm[1], tip[0] - frm[0]))
        return line([pol(tip, a + 150, 11), tip, pol(tip, a - 150, 11)], ARROW, 4)

    out.append(head(p1, c))
    if both:
        out.append(head(p0, c))
    return "".join(out)


def spin(c, r=14, start=200, sweep=280):
    """A circular arrow around c."""
    a0, a1 = math.radians(start), math.radians(start + sweep)
    p0 = (c[0] + r * math.cos(a0), c[1] + r * math.sin(a0))
    p1 = (c[0] + r * math.cos(a1), c[1] + r * math.sin(a1))
    large = 1 if sweep > 180 else 0
    tang = start + sweep + 90
    return (f'<path d="M{pts([p0])} A{r} {r} 0 {large} 1 {pts([p1])}" stroke="{ARROW}" stroke-width="4"/>'
            + line([pol(p1, tang + 150, 10), p1, pol(p1, tang - 150, 10)], ARROW, 4))


def mirror(parts):
    """The scene flipped left to right: for a front view whose text names the other side
    (the figure's right is the viewer's left)."""
    return ['<g transform="translate(400 0) scale(-1 1)">', *parts, "</g>"]


def zoom(parts, cx, cy, s, to=(200, 150)):
    """Draw parts scaled by s about (cx, cy), which lands at `to`. Never so close that the
    floor line leaves the picture: it shows which way is down."""
    floor_y = F + 5
    if to[1] + (floor_y - cy) * s > 288:
        s = max(1.0, min(s, (288 - to[1]) / (floor_y - cy)))
        to = (to[0], min(to[1], 288 - (floor_y - cy) * s))
    return [f'<g transform="translate({to[0]} {to[1]}) scale({s}) translate({-cx} {-cy})">'] + list(parts) + ["</g>"]


# ----------------------------------------------------------------------------- stock poses
def lying(hip_x=250, knees="bent", head=186, torso=181, arms=((8, 2),), far_arms=(), pillow_under=False, y=None):
    """On the back, head to the left."""
    hip = (hip_x, y or F - 13)
    if knees == "bent":
        legs = [dict(to=(hip_x + 62, F - 8), bend=-1, foot=0)]
        far = [dict(to=(hip_x + 58, F - 8), bend=-1, foot=0)]
    else:
        legs = [(2, 0, -80)]
        far = []
    return Fig(hip, torso, head=head, arms=arms, far_arms=far_arms, legs=legs, far_legs=far)


def standing(x=200, facing=1, arms=None, legs=None, torso=-90, **kw):
    hip = (x, F - 100)
    legs = legs or [(90, 90, 0 if facing > 0 else 180)]
    arms = arms or [(90 - 6 * facing, 90 - 14 * facing)]
    return Fig(hip, torso, arms=arms, legs=legs, facing=facing, **kw)


def seated(x=190, seat=F - 52, arms=None, torso=-90, legs=None, far_legs=None, **kw):
    """Sitting on a chair facing right; x = hip. Returns (figure, chair svg)."""
    hip = (x, seat - 9)
    legs = legs or [dict(to=(x + 56, F - 6), bend=-1, foot=0)]
    arms = arms or [dict(to=(x + 40, seat - 14), bend=-1)]
    fig = Fig(hip, torso, arms=arms, legs=legs, far_legs=far_legs or (), **kw)
    return fig, chair(x + 26, seat)


def front_standing(x=200, arms=None, legs=None, **kw):
    hip = (x, F - 100)
    legs = legs or [(95, 90, 180), (85, 90, 0)]
    arms = arms or [(100, 95), (80, 85)]
    return Fig(hip, -90, front=True, arms=arms, legs=legs, **kw)


def front_seated(x=200, arms=None, seat=F - 52, **kw):
    hip = (x, seat - 8)
    legs = [dict(to=(x - 22, F - 4), bend=1, foot=200), dict(to=(x + 22, F - 4), bend=-1, foot=-20)]
    arms = arms or [dict(to=(x - 26, seat + 2), bend=1), dict(to=(x + 26, seat + 2), bend=-1)]
    fig = Fig(hip, -90, front=True, arms=arms, legs=legs, leg_lens=(30, 50, 14), **kw)
    return fig, chair_front(x, seat, back_top=seat - 95)


def all_fours(x=170, torso=-22, head=None, arch=0, arms=None, far_arms=None, legs=None, far_legs=None):
    hip = (x, F - 58)
    legs = legs or [dict(to=(x - 50, F - 4), bend=1, foot=180)]
    far_legs = far_legs if far_legs is not None else [dict(to=(x - 44, F - 4), bend=1, foot=180)]
    fig0 = Fig(hip, torso)
    sh = pol(fig0.neck, torso + 180, 7)
    arms = arms or [dict(to=(sh[0] + 4, F - 4), bend=-1)]
    far_arms = far_arms if far_arms is not None else [dict(to=(sh[0] - 4, F - 4), bend=-1)]
    return Fig(hip, torso, head=head, arch=arch, arms=arms, far_arms=far_arms, legs=legs, far_legs=far_legs)


def close_face(mouth="rest"):
    c = (200, 122)
    out = [
        f'<path d="M178 190 L172 232 Q140 240 82 262 M222 190 L228 232 Q260 240 318 262" stroke="{INK}" stroke-width="9"/>',
        f'<circle cx="200" cy="122" r="74" fill="#fff" stroke="{INK}" stroke-width="8"/>',
        f'<path d="M160 112 Q171 120 182 112 M218 112 Q229 120 240 112" stroke="{INK}" stroke-width="6"/>',
    ]
    if mouth == "open":
        out.append(f'<ellipse cx="200" cy="164" rx="12" ry="17" fill="#fff" stroke="{INK}" stroke-width="6"/>')
    else:
        out.append(f'<path d="M186 160 Q200 165 214 160" stroke="{INK}" stroke-width="6"/>')
    return c, "".join(out)


# ----------------------------------------------------------------------------- the pictures
def s_suboccipital():
    f = lying(hip_x=262, torso=190, head=205, arms=((20, 0),))
    b = (f.head[0] + 8, F - 10)
    return zoom([mat(40, 380), floor(0, 400), f.svg(), ball(b, 10), hl((f.head[0] + 12, f.head[1] + 12), 17, 11, 30)],
                230, F - 40, 1.45, (200, 190))


def s_chin_tucks():
    f, ch = seated(head=-96)
    hx, hy = f.head
    return [floor(), ch, f.svg(), hl((f.neck[0] - 6, f.neck[1] - 6), 11, 16),
            arrow((hx + 44, hy + 4), (hx + 16, hy + 4))]


def s_upper_trap():
    f, ch = front_seated(head=-118, arms=[(-150, -29), (88, 90)])
    r = f.shoulders[1]
    # The text tips the left ear down and stretches the right side: the figure's right is the
    # viewer's left, so the drawing is mirrored.
    return mirror(zoom([floor(), ch, f.svg(), hl(((r[0] + f.neck[0]) / 2 + 2, r[1] - 8), 20, 10, 28)], 200, 125, 1.5, (200, 160)))


def s_levator():
    f, ch = front_seated(head=-126, neck=19, arms=[(-145, -38), (88, 90)], look=(-5, 5))
    r = f.shoulders[1]
    dash = (f'<path d="M{fmt(f.head[0] - 10)} {fmt(f.head[1] + 20)} Q150 136 160 166" stroke="{ARROW}" '
            f'stroke-width="3" stroke-dasharray="3 6"/>')
    # Looking down to the left pocket, the stretch on the right: mirrored, as above.
    return mirror(zoom([floor(), ch, f.svg(), hl((r[0] - 6, r[1] - 4), 17, 12, 40), dash,
                        arrow((155, 156), (161, 170), 0)], 200, 125, 1.5, (200, 160)))


def s_ball_levator():
    hip = (202, F - 98)
    f = Fig(hip, -101, head=-95, arms=[(98, 88)], legs=[dict(to=(214, F - 6), bend=-1, foot=0)])
    sh = f.along(0.86, 0)
    b = (sh[0] - 19, sh[1])
    return [wall(b[0] - 11), floor(120), f.svg(), ball(b, 10), hl((b[0] + 10, b[1] - 3), 15, 12)]


def s_neck_turns():
    f = front_standing(arms=[(106, 98), (74, 82)], look=(6, 0))
    hx, hy = f.head
    return zoom([floor(), f.svg(), arrow((hx - 36, hy - 6), (hx + 36, hy - 6), 26, both=True),
                 hl((f.neck[0], f.neck[1] - 2), 12, 10)], 200, 110, 1.7, (200, 165))


def s_temples():
    f, ch = front_seated(arms=[dict(to=(184, 98), bend=-1), dict(to=(216, 98), bend=1)])
    hx, hy = f.head
    return zoom([floor(), ch, f.svg(), hl((hx - 13, hy - 4), 9), hl((hx + 13, hy - 4), 9),
                 spin((hx - 48, hy - 22), 8), spin((hx + 48, hy - 22), 8)], 200, 125, 1.5, (200, 160))


def s_jaw_massage():
    c, face = close_face()
    hands = (line([(96, 300), (120, 222), (134, 160)], INK, 14) + line([(304, 300), (280, 222), (266, 160)], INK, 14))
    return [face, hl((140, 158), 20, 26, -15), hl((260, 158), 20, 26, 15), hands,
            spin((108, 138), 12, 150), spin((292, 138), 12, 150)]


def s_jaw_rest():
    c, face = close_face()
    return [face, hl((200, 163), 34, 16), hl((140, 160), 16, 22, -15), hl((260, 160), 16, 22, 15)]


def s_jaw_open():
    c, face = close_face("open")
    return [face, hl((142, 158), 17, 24, -15), hl((258, 158), 17, 24, 15), arrow((200, 204), (200, 236))]


def s_warm_towel():
    c, face = close_face()
    t = (f'<path d="M128 150 Q132 222 200 224 Q268 222 272 150" stroke="#5aa2b8" stroke-width="26" opacity=".9"/>'
         f'<path d="M128 150 Q132 222 200 224 Q268 222 272 150" stroke="#fff" stroke-width="4" stroke-dasharray="2 10" opacity=".8"/>')
    waves = "".join(f'<path d="M{x} 62 q-7 -10 0 -20 q7 -10 0 -20" stroke="{ARROW}" stroke-width="4" opacity=".7"/>'
                    for x in (92, 308))
    return [face, t, hl((140, 168), 22, 28, -15), hl((260, 168), 22, 28, 15), waves]


def s_doorway():
    frame = ('<rect x="0" y="20" width="120" height="245" fill="#e9eff3"/><rect x="280" y="20" width="120" height="245" fill="#e9eff3"/>'
             f'<path d="M120 265 V30 H280 V265" fill="none" stroke="{PROP}" stroke-width="14" stroke-linejoin="miter"/>')
    f = front_standing(arms=[(180, -90), (0, -90)], legs=[(97, 92, 180), (84, 88, 0)])
    return [frame, floor(), f.svg(), hl((183, f.neck[1] + 22), 15, 12), hl((217, f.neck[1] + 22), 15, 12)]


def s_wall_angels():
    f = front_standing(arms=[(-155, -95), (-25, -85)])
    w = '<rect x="60" y="22" width="280" height="243" rx="4" fill="#e9eff3"/>'
    hands = f.arms[0][-1], f.arms[1][-1]
    return [w, floor(), f.svg(), arrow((hands[0][0] - 14, hands[0][1] + 6), (hands[0][0] - 30, hands[0][1] - 26)),
            arrow((hands[1][0] + 14, hands[1][1] + 6), (hands[1][0] + 30, hands[1][1] - 26)),
            hl((200, f.neck[1] + 22), 34, 16)]


def s_band_pull():
    f = front_standing(arms=[(184, 180), (-4, 0)])
    a, b = f.arms[0][-1], f.arms[1][-1]
    return [floor(), f.svg(), band([a, (200, a[1] + 10), b]),
            arrow((a[0] - 6, a[1] - 22), (a[0] - 34, a[1] - 22)), arrow((b[0] + 6, b[1] - 22), (b[0] + 34, b[1] - 22)),
            hl((200, f.neck[1] + 18), 30, 14)]


def s_towel_chest():
    f = lying(hip_x=262, torso=180, head=183, arms=((8, 2),), y=F - 17)
    return zoom([mat(40, 380), floor(0, 400), pillow(98, F - 16, 44, 16),
                 f'<rect x="{fmt(f.neck[0] + 2)}" y="{F - 10}" width="70" height="10" rx="5" fill="#5aa2b8"/>',
                 f.svg(), hl(f.along(0.78, 10), 24, 11)], 220, F - 40, 1.35, (200, 180))


def s_roller_upper_back():
    hip = (278, F - 12)
    f0 = Fig(hip, 208, head=172)
    sh = f0.shoulders[0]
    f = Fig(hip, 208, head=172, arms=[dict(to=(f0.head[0] - 2, f0.head[1] - 14), bend=1)],
            legs=[dict(to=(346, F - 8), bend=-1, foot=0)], far_legs=[dict(to=(342, F - 8), bend=-1, foot=0)])
    rc = f.along(0.75)
    return zoom([mat(40, 380), floor(0, 400), roller((rc[0], F - 16), 16), f.svg(), hl(f.along(0.74), 22, 13, 28),
                 arrow((f.head[0] - 4, f.head[1] - 30), (f.head[0] - 24, f.head[1] - 4), 10)], 250, F - 50, 1.3, (200, 175))


def s_ball_between():
    hip = (206, F - 98)
    f = Fig(hip, -99, head=-92, arms=[(50, -125)], far_arms=[(55, -130)], legs=[dict(to=(218, F - 6), bend=-1, foot=0)])
    p = f.along(0.62)
    b = (p[0] - 18, p[1])
    return [wall(b[0] - 10), floor(120), f.svg(), ball(b, 10), hl((b[0] + 12, b[1]), 15, 18),
            arrow((262, 150), (262, 200), both=True)]


def s_thread_needle():
    hip = (178, F - 58)
    f0 = Fig(hip, 18)
    sh = f0.shoulders[0]
    f = Fig(hip, 18, head=35, arms=[dict(to=(150, F - 8), bend=-1)],
            far_arms=[dict(to=(sh[0] + 14, F - 4), bend=-1)],
            legs=[dict(to=(128, F - 4), bend=1, foot=180)], far_legs=[dict(to=(134, F - 4), bend=1, foot=180)])
    return [mat(70, 330), floor(), f.svg(), hl(f.along(0.75, 10), 22, 12, 18),
            arrow((130, 170), (250, 150), -22)]


def s_cross_body():
    f = front_standing(arms=[(6, -2), (96, -110)])
    sh = f.shoulders[0]
    return zoom([floor(), f.svg(), hl((sh[0] - 2, sh[1] + 2), 14, 12)], 200, 140, 1.4, (200, 170))


def s_pendulum():
    hip = (170, F - 100)
    f = Fig(hip, -12, head=-4, arms=[(88, 90)], far_arms=[dict(to=(270, F - 98), bend=1)],
            legs=[dict(to=(160, F - 6), bend=-1, foot=0)], far_legs=[dict(to=(178, F - 6), bend=-1, foot=0)])
    hand = f.arms[0][-1]
    return [chair(280, F - 52, facing="left"), floor(), f.svg(), spin((hand[0], hand[1] + 10), 16, 200),
            hl(f.shoulders[0], 15)]


def s_towel_behind():
    f = front_standing(arms=[(-100, 80), dict(to=(202, 168), bend=1)], head=-90)
    top, low = f.arms[0][-1], f.arms[1][-1]
    t = towel([(top[0] - 2, top[1] - 16), top, low, (low[0] + 4, low[1] + 22)], 8)
    return [floor(), f.svg(), t, hl(f.shoulders[0], 16), hl(f.shoulders[1], 16)]


def s_band_er():
    f = front_standing(arms=[(93, 186), (87, -6)])
    a, b = f.arms[0][-1], f.arms[1][-1]
    return zoom([floor(), f.svg(), band([a, (200, a[1] + 16), b]),
                 arrow((a[0] - 4, a[1] - 14), (a[0] - 26, a[1] - 26), -6),
                 arrow((b[0] + 4, b[1] - 14), (b[0] + 26, b[1] - 26), 6),
                 hl(f.shoulders[0], 12), hl(f.shoulders[1], 12)], 200, 140, 1.4, (200, 170))


def s_shoulder_rolls():
    f = front_standing(arms=[(106, 98), (74, 82)])
    l, r = f.shoulders
    return zoom([floor(), f.svg(), spin((l[0] - 22, l[1] - 14), 11, 90), spin((r[0] + 22, r[1] - 14), 11, 90),
                 hl((l[0] + 8, l[1] - 4), 13, 9, 20), hl((r[0] - 8, r[1] - 4), 13, 9, -20)], 200, 110, 1.7, (200, 165))


def s_shrug():
    f, ch = front_seated(shrug=9, arms=[dict(to=(178, F - 50), bend=1), dict(to=(222, F - 50), bend=-1)])
    l, r = f.shoulders
    return zoom([floor(), ch, f.svg(), arrow((l[0] - 14, l[1] - 30), (l[0] - 14, l[1] - 6)),
                 arrow((r[0] + 14, r[1] - 30), (r[0] + 14, r[1] - 6)),
                 hl((l[0] + 8, l[1] - 2), 13, 9, 20), hl((r[0] - 8, r[1] - 2), 13, 9, -20)], 200, 125, 1.55, (200, 160))


def forearm_closeup(palm_up=True):
    arm = line([(40, 130), (232, 130)], tint("arm"), 24)
    hand = line([(236, 132), (262, 196)], tint("arm"), 20)
    fingers = line([(262, 196), (268, 220)], tint("arm"), 14)
    other = line([(392, 300), (278, 218)], INK, 18)
    # Palm up or down, the stretched side faces up: the palm side for the flexors, the back
    # of the forearm for the extensors.
    hot = hl((140, 116), 80, 13)
    return [arm, hand, fingers, other, hot, arrow((322, 190), (292, 176), 8),
            label(140, 80, "palm up: inside of the forearm" if palm_up else "palm down: top of the forearm")]


def s_wrist_flexor():
    parts = forearm_closeup(True)
    thumb = line([(224, 118), (244, 108)], tint("arm"), 10)
    return parts + [thumb]


def s_wrist_extensor():
    parts = forearm_closeup(False)
    thumb = line([(226, 142), (246, 152)], tint("arm"), 10)
    fist = f'<circle cx="266" cy="214" r="15" fill="#fff" stroke="{tint("arm")}" stroke-width="9"/>'
    return parts + [thumb, fist]


def s_forearm_ball():
    tbl = line([(236, 176), (380, 176)], PROP, 8) + line([(366, 176), (366, F + 4)], PROP, 6)
    f, ch = seated(x=170, arms=[dict(to=(300, 156), bend=1)], far_arms=[dict(to=(276, 150), bend=-1)], head=-85)
    return [tbl, floor(), ch, ball((262, 163), 9), f.svg(), hl((262, 148), 34, 9),
            arrow((240, 128), (300, 128), both=True)]


def s_glides():
    """Three hand shapes, palm to the viewer: fingers straight, a hook, a fist."""
    out = []
    for i, cx in enumerate((80, 200, 320)):
        palm_top = 150
        ink = tint("arm")
        out.append(line([(cx, 300), (cx, 236)], ink, 24))  # forearm
        out.append(f'<rect x="{cx - 34}" y="{palm_top}" width="68" height="88" rx="24" fill="#fff" stroke="{ink}" stroke-width="8"/>')
        out.append(line([(cx + 32, palm_top + 50), (cx + 56, palm_top + 20)], ink, 12))  # thumb
        for dx in (-22, -7, 8, 23):
            if i == 0:
                out.append(line([(cx + dx, palm_top - 2), (cx + dx, palm_top - 58)], ink, 11))
            elif i == 1:
                out.append(f'<path d="M{cx + dx} {palm_top - 2} V{palm_top - 30} Q{cx + dx} {palm_top - 44} '
                           f'{cx + dx + 4} {palm_top - 36} L{cx + dx + 4} {palm_top - 20}" stroke="{ink}" stroke-width="10"/>')
            else:
                out.append(f'<circle cx="{cx + dx}" cy="{palm_top + 12}" r="7" fill="#fff" stroke="{ink}" stroke-width="6"/>')
        out.append(hl((cx, palm_top + 40), 26, 36, op=".3"))
        out.append(label(cx, 50, ("straight", "hook", "fist")[i], 16))
    out += [arrow((112, 120), (160, 120), -10), arrow((232, 120), (280, 120), -10)]
    return out


def s_band_wrist():
    f, ch = seated(x=180, arms=[dict(to=(236, 190), bend=-1)], head=-80, torso=-82)
    hand = f.arms[0][-1]
    fore_end = (hand[0] + 22, hand[1] - 2)
    foot = f.legs[0][2]
    return [floor(), ch, f.svg(), line([hand, fore_end], INK, 9), band([fore_end, (foot[0] + 6, F - 6)]),
            hl(((f.arms[0][1][0] + hand[0]) / 2, hand[1] - 8), 18, 8),
            arrow((fore_end[0] + 12, fore_end[1] + 4), (fore_end[0] + 12, fore_end[1] - 26))]


def s_knees_chest():
    hip = (250, F - 13)
    f = Fig(hip, 181, head=186, legs=[(-128, -6, 0)], far_legs=[(-124, -2, 0)])
    k, a = f.legs[0][1], f.legs[0][2]
    grip = (k[0] + (a[0] - k[0]) * .35, k[1] + (a[1] - k[1]) * .35 + 6)
    f = Fig(hip, 181, head=186, legs=[(-128, -6, 0)], far_legs=[(-124, -2, 0)], arms=[dict(to=grip, bend=1)])
    return zoom([mat(40, 380), floor(0, 400), f.svg(), hl(f.along(0.12, -8), 28, 9)], 230, F - 45, 1.4, (200, 175))


def s_twist():
    m = '<rect x="100" y="30" width="200" height="240" rx="12" fill="#dde8ee"/>'
    hip = (200, 180)
    f = Fig(hip, -90, front=True, arms=[(180, 180), (0, 0)],
            legs=[(28, 118, 200), (22, 112, 200)])
    # Seen from above, the knees fall to the right as the text says: the figure's right is
    # the viewer's left, so the drawing is mirrored.
    return mirror([m, pillow(238, 196, 46, 18), f.svg(), hl((196, 166), 22, 30), arrow((272, 172), (292, 214), -10)])


def s_cat_cow():
    f = all_fours(arch=18, head=75)
    return [mat(60, 340), floor(), f.svg(), hl(f.along(0.5, 20), 30, 11, -22),
            arrow((205, 96), (205, 56), both=True)]


def s_child():
    hip = (184, F - 30)
    f = Fig(hip, 11, head=8, arms=[(10, 0)])
    f.legs = [[hip, (228, F - 6), (178, F - 6), (162, F - 2)]]
    return zoom([mat(20, 380), floor(0, 400), pillow(270, F - 11, 46, 12), f.svg(), hl(f.along(0.3, 10), 28, 10, 11)],
                230, F - 40, 1.45, (200, 180))


def s_pelvic_tilts():
    f = lying(hip_x=250)
    return [mat(60, 360), floor(), f.svg(), hl(f.along(0.15, 2), 24, 10), spin((f.hip[0] - 6, F - 50), 16, 150, 200)]


def s_bridge(out=False):
    hip = (224, F - 52)
    foot = (300, F - 6) if not out else (334, F - 6)
    f = Fig(hip, 154, head=178, legs=[dict(to=foot, bend=-1, foot=0)],
            far_legs=[dict(to=(foot[0] - 4, foot[1]), bend=-1, foot=0)], arms=[(12, 0)])
    if out:
        knee = f.legs[0][1]
        return [mat(60, 370), floor(), f.svg(), hl(((hip[0] + knee[0]) / 2, (hip[1] + knee[1]) / 2 + 10), 24, 9, 10),
                arrow((foot[0] - 30, F - 40), (foot[0] + 14, F - 40))]
    return [mat(60, 360), floor(), f.svg(), hl((hip[0] - 4, hip[1] + 8), 18, 14),
            arrow((hip[0] + 8, F - 8), (hip[0] + 8, hip[1] + 20))]


def s_glute_bridge():
    return s_bridge(False)


def s_walkouts():
    return s_bridge(True)


def s_bird_dog():
    hip = (170, F - 58)
    f0 = Fig(hip, -18)
    sh = f0.shoulders[0]
    f = Fig(hip, -18, head=-14, arms=[(-14, -10)], far_arms=[dict(to=(sh[0] + 2, F - 4), bend=1)],
            legs=[dict(to=(hip[0] - 50, F - 4), bend=1, foot=180)], far_legs=[(184, 180, 200)])
    return [mat(40, 360), floor(), f.svg(), hl(f.along(0.25, 8), 28, 10, -18)]


def s_psoas():
    hip = (236, F - 13)
    f = Fig(hip, 180, head=183, legs=[(-90, 0, -80)], far_legs=[(-92, 2, -80)], arms=[(-12, 25)])
    knee = f.legs[0][1]
    return [mat(40, 360), floor(), pillow(96, F - 12, 44, 12), chair(knee[0] + 2, knee[1] + 9, facing="left", width=70),
            f.svg(), hl((hip[0] - 6, hip[1] - 14), 18, 12)]


def s_figure_four():
    hip = (232, F - 13)
    f = Fig(hip, 181, head=186, far_legs=[dict(to=(300, F - 8), bend=-1, foot=0)], arms=[(12, 0)], legs=[[]])
    fk = f.far_legs[0][1]
    f.legs = [[hip, (284, F - 26), (fk[0] - 2, fk[1] - 10), (fk[0] - 12, fk[1] - 18)]]
    return zoom([mat(20, 380), floor(0, 400), f.svg(), hl((hip[0] + 4, hip[1] + 2), 17, 10)], 240, F - 45, 1.4, (200, 175))


def s_ball_glute():
    hip = (206, F - 100)
    f = Fig(hip, -97, head=-92, arms=[(95, 80)], legs=[dict(to=(222, F - 6), bend=-1, foot=0)])
    b = (hip[0] - 18, hip[1] + 4)
    return [wall(b[0] - 10), floor(120), f.svg(), ball(b, 10), hl((hip[0] - 6, hip[1] + 4), 16, 18)]


def s_seated_piri():
    hip = (200, F - 60)
    f = Fig(hip, -90, front=True, tl=64, head=-92, leg_lens=(30, 50, 14),
            legs=[[], dict(to=(222, F - 4), bend=-1, foot=-20)],
            arms=[dict(to=(152, F - 56), bend=1), dict(to=(214, F - 62), bend=-1)])
    hl_ = f.hips[0]
    f.legs[0] = [hl_, (146, F - 50), (216, F - 60), (228, F - 70)]
    return [floor(), chair_front(200, F - 52, back_top=F - 140), f.svg(), hl((hl_[0] - 4, hl_[1] + 2), 16, 12),
            arrow((200, 70), (200, 96))]


def side_lying(top_leg, bottom_leg):
    hip = (236, F - 22)
    f = Fig(hip, 180, head=190, arms=[(180, 190)], legs=[top_leg], far_legs=[bottom_leg], front_face=True)
    return f


def s_clams():
    hip = (200, F - 24)
    f = Fig(hip, 180, head=190, arms=[(180, 190)], legs=[[]], far_legs=[[]], front_face=True)
    f.legs = [[hip, (262, F - 66), (300, F - 16), (314, F - 12)]]
    f.far_legs = [[hip, (252, F - 8), (302, F - 8), (316, F - 6)]]
    hx, hy = f.head
    return [mat(40, 360), floor(), pillow(hx - 30, F - 14, 54, 14), f.svg(), hl((hip[0] + 4, hip[1] - 6), 16),
            arrow((280, F - 62), (270, F - 96), 10)]


def s_kneel_hip():
    hip = (200, F - 62)
    f = Fig(hip, -92, head=-90, arms=[(-98, -94)], legs=[dict(to=(174, F - 14), bend=1, foot=180)],
            far_legs=[dict(to=(262, F - 6), bend=-1, foot=0)])
    f.legs[0] = [hip, (186, F - 15), (138, F - 9), (124, F - 4)]
    return [floor(), pillow(158, F - 12, 50, 14), f.svg(), hl((hip[0] + 8, hip[1] + 6), 14, 16)]


def s_stand_hip():
    hip = (200, F - 92)
    f = Fig(hip, -88, head=-90, arms=[dict(to=(270, F - 124), bend=-1)],
            legs=[dict(to=(134, F - 10), bend=1, foot=-150)], far_legs=[dict(to=(252, F - 6), bend=-1, foot=0)])
    return [chair(282, F - 52, facing="left"), floor(), f.svg(), hl((hip[0] + 6, hip[1] + 8), 13, 17, 20)]


def s_quad():
    hip = (200, F - 100)
    f = Fig(hip, -90, head=-90, legs=[(92, -96, -40)], far_legs=[(90, 90, 0)],
            far_arms=[dict(to=(278, F - 150), bend=-1)])
    ankle = f.legs[0][2]
    sh = f.shoulders[0]
    f.arms = [limb(sh, dict(to=(ankle[0] - 2, ankle[1] + 4), bend=1), (44, 40))]
    knee = f.legs[0][1]
    return [wall(288, "right"), floor(60, 288), f.svg(), hl(((hip[0] + knee[0]) / 2 + 9, (hip[1] + knee[1]) / 2), 9, 26)]


def s_towel_ham():
    hip = (250, F - 13)
    f = Fig(hip, 181, head=186, legs=[(-84, -84, 0)], far_legs=[dict(to=(312, F - 8), bend=-1, foot=0)],
            arms=[dict(to=(226, F - 108), bend=1)])
    foot = f.legs[0][2]
    hand = f.arms[0][2]
    return [mat(60, 360), floor(), towel([hand, (foot[0] + 10, foot[1] - 8)]), towel([hand, (foot[0] - 6, foot[1] - 12)], 5),
            f.svg(), hl(((hip[0] + f.legs[0][1][0]) / 2 - 10, (hip[1] + f.legs[0][1][1]) / 2), 8, 24, 6)]


def s_seated_ham():
    f, ch = seated(x=178, torso=-58, head=-40, legs=[(8, 8, -70)], far_legs=[dict(to=(232, F - 6), bend=-1, foot=0)],
                   arms=[dict(to=(242, F - 48), bend=-1)])
    f.legs[0] = limb(f.hip, (12, 15, -75), (52, 50, 17))
    k = f.legs[0][1]
    return [floor(), ch, f.svg(), hl(((f.hip[0] + k[0]) / 2 + 14, (f.hip[1] + k[1]) / 2 + 9), 28, 8, 12)]


def s_step_ham():
    hip = (180, F - 100)
    f = Fig(hip, -55, head=-35, legs=[dict(to=(276, F - 46), bend=-1, foot=-80)], far_legs=[(92, 90, 0)],
            arms=[dict(to=(236, F - 76), bend=-1)])
    k = f.legs[0][1]
    return [box(250, F - 34, 130, 39), floor(20, 250), f.svg(),
            hl(((hip[0] + k[0]) / 2 + 4, (hip[1] + k[1]) / 2 + 10), 28, 8, 18)]


def s_roller_ham():
    hip = (176, F - 40)
    f = Fig(hip, -118, head=-100, legs=[(12, 18, -75)], far_legs=[(8, 14, -75)],
            arms=[dict(to=(112, F - 4), bend=1)])
    k = f.legs[0][1]
    return [mat(60, 360), floor(), roller((214, F - 15), 16), f.svg(), hl(((hip[0] + k[0]) / 2, (hip[1] + k[1]) / 2 + 10), 26, 8, 12),
            arrow((190, F - 80), (250, F - 80), both=True)]


def s_outer_hip_stretch():
    f = Fig((196, F - 100), -80, front=True, head=-92, arms=[dict(to=(126, F - 132), bend=1), dict(to=(226, F - 92), bend=-1)],
            legs=[dict(to=(214, F - 6), bend=1, foot=0), dict(to=(196, F - 6), bend=-1, foot=180)])
    hp = f.hips[0]
    return [wall(118), floor(118), f.svg(), hl((hp[0] - 8, hp[1] + 22), 12, 30, 8),
            arrow((hp[0] - 8, hp[1] - 36), (hp[0] - 34, hp[1] - 36))]


def s_roller_outer_thigh():
    hip = (228, F - 40)
    f = Fig(hip, 195, head=192, arms=[(92, 0)], legs=[(7, 3, -60)],
            far_legs=[dict(to=(262, F - 6), bend=-1, foot=0)])
    f.far_legs = [[hip, (262, F - 74), (250, F - 6), (266, F - 6)]]
    k = f.legs[0][1]
    return [mat(40, 380), floor(), roller((262, F - 16), 16), f.svg(),
            hl(((hip[0] + k[0]) / 2 + 4, (hip[1] + k[1]) / 2 + 8), 26, 7, 7), arrow((250, F - 110), (320, F - 110), both=True)]


def s_ball_tfl():
    f = Fig((184, F - 100), -92, front=True, head=-90, arms=[(100, 70), dict(to=(180, F - 100), bend=-1)],
            legs=[dict(to=(168, F - 6), bend=1, foot=180), dict(to=(200, F - 6), bend=-1, foot=0)])
    hp = f.hips[0]
    b = (hp[0] - 16, hp[1] - 4)
    return [wall(b[0] - 10), floor(100), f.svg(), ball(b, 10), hl((hp[0] - 4, hp[1] - 2), 14, 14)]


def s_leg_raise():
    f = side_lying((-14, -14, -60), dict(to=(262, F - 8), bend=1, foot=180))
    f.far_legs = [[f.hip, (278, F - 30), (236, F - 8), (222, F - 8)]]
    hx, hy = f.head
    foot = f.legs[0][2]
    return [mat(60, 350), floor(), pillow(hx - 30, F - 14, 54, 14), f.svg(), hl((f.hip[0] + 2, f.hip[1] - 10), 16, 12),
            arrow((foot[0] + 20, foot[1] + 26), (foot[0] + 22, foot[1] - 14), 8)]


def long_sit(support, lift=30):
    hip = (150, F - lift)
    return Fig(hip, -115, head=-100, legs=[(8, -2, -80)], far_legs=[(2, 12, -70)],
               arms=[dict(to=(96, F - 4), bend=1)])


def s_calf_roller():
    f = long_sit("roller", 38)
    k = f.legs[0][1]
    a = f.legs[0][2]
    return [mat(40, 380), floor(), roller(((k[0] + a[0]) / 2, F - 15), 16), f.svg(),
            hl(((k[0] + a[0]) / 2, (k[1] + a[1]) / 2 + 8), 24, 8), arrow((220, F - 84), (300, F - 84), both=True)]


def s_calf_ball():
    f = long_sit("ball", 26)
    f.legs = [limb(f.hip, (12, 2, -80), (52, 50, 17))]
    k, a = f.legs[0][1], f.legs[0][2]
    f.far_legs = [limb(f.hip, (0, -2, -80), (52, 50, 17))]
    f.far_legs = [[f.hip, (f.hip[0] + 52, f.hip[1] - 6), (a[0] + 4, a[1] - 16), (a[0] + 12, a[1] - 30)]]
    c = ((k[0] + a[0]) / 2, F - 10)
    return [mat(40, 380), floor(), ball(c, 10), f.svg(), hl((c[0], c[1] - 12), 22, 8),
            arrow((220, F - 84), (300, F - 84), both=True)]


def s_wall_calf(bent=False):
    if bent:
        hip, lean, back, front = (226, F - 92), -74, (196, F - 6), (250, F - 6)
    else:
        hip, lean, back, front = (214, F - 94), -62, (150, F - 6), (258, F - 6)
    f0 = Fig(hip, lean)
    sh = f0.shoulders[0]
    f = Fig(hip, lean, head=lean + 4, far_arms=[dict(to=(300, sh[1] - 6), bend=1)], arms=[dict(to=(298, sh[1] + 2), bend=1)],
            legs=[dict(to=back, bend=-1, foot=0)], far_legs=[dict(to=front, bend=-1, foot=0)])
    k, a = f.legs[0][1], f.legs[0][2]
    if bent:
        spot = (a[0] + (k[0] - a[0]) * .3, a[1] + (k[1] - a[1]) * .3)
        return [wall(306, "right"), floor(40, 306), f.svg(), hl(spot, 8, 15, -30)]
    return [wall(306, "right"), floor(40, 306), f.svg(), hl(((k[0] + a[0]) / 2 - 7, (k[1] + a[1]) / 2 - 4), 9, 20, 52)]


def s_wall_calf_straight():
    return s_wall_calf(False)


def s_wall_calf_bent():
    return s_wall_calf(True)


def s_heel_raises():
    top = F - 24
    hip = (200, top - 114)
    f = Fig(hip, -90, head=-90, far_arms=[dict(to=(244, top - 122), bend=-1)], arms=[(96, 86)],
            legs=[dict(to=(203, top - 14), bend=-1, foot=58)], far_legs=[dict(to=(199, top - 14), bend=-1, foot=58)])
    rail = line([(150, top - 96), (360, top - 148)], PROP, 6) + line([(345, top - 144), (345, F)], PROP, 5)
    k, a = f.legs[0][1], f.legs[0][2]
    return [box(206, top, 170, 29), box(290, top - 26, 86, 26), rail, floor(20, 206), f.svg(),
            hl(((k[0] + a[0]) / 2 - 7, (k[1] + a[1]) / 2), 8, 20),
            arrow((170, top - 46), (170, top - 4), both=True)]


def s_foot_roll(prop="bottle"):
    f, ch = seated(x=176, legs=[dict(to=(246, F - 30), bend=-1, foot=4)], far_legs=[dict(to=(222, F - 6), bend=-1, foot=0)],
                   head=-92)
    a, t = f.legs[0][2], f.legs[0][3]
    c = ((a[0] + t[0]) / 2, F - 12)
    p = bottle(c, 12) if prop == "bottle" else spiky(c, 10)
    return [floor(), ch, p, f.svg(), hl((c[0], c[1] - 16), 16, 7), arrow((a[0] - 6, F - 4 - 50), (t[0] + 34, F - 54), both=True)]


def s_bottle():
    return s_foot_roll("bottle")


def s_spiky():
    return s_foot_roll("spiky")


def s_towel_foot():
    hip = (150, F - 13)
    f = Fig(hip, -92, head=-90, legs=[(0, 0, -70)], far_legs=[(-4, 4, -74)],
            arms=[dict(to=(214, F - 88), bend=-1)], far_arms=[dict(to=(210, F - 92), bend=-1)])
    t = f.legs[0][3]
    hand = f.arms[0][2]
    k, a = f.legs[0][1], f.legs[0][2]
    return [mat(40, 380), floor(), f.svg(), towel([hand, (t[0] + 8, t[1] - 4), (t[0] + 6, t[1] + 8), hand], 6),
            hl(((k[0] + a[0]) / 2, (k[1] + a[1]) / 2 + 6), 24, 8), hl((a[0] + 10, a[1] - 4), 6, 14, 20)]


def s_scrunch():
    f, ch = seated(x=176, head=-92, legs=[dict(to=(236, F - 6), bend=-1, foot=0)], far_legs=[dict(to=(226, F - 6), bend=-1, foot=0)])
    t = f'<path d="M214 {F + 2} H258 q8 -16 16 0 H350" stroke="#5aa2b8" stroke-width="7"/>'
    return [floor(), ch, t, f.svg(), hl((246, F - 8), 16, 7), arrow((320, F - 24), (278, F - 24))]


def s_breathing():
    hip = (252, F - 13)
    f = Fig(hip, 180, head=183, legs=[dict(to=(314, F - 8), bend=-1, foot=0)],
            far_legs=[dict(to=(310, F - 8), bend=-1, foot=0)])
    sh = f.shoulders[0]
    f.arms = [[sh, (212, F - 3), (236, F - 24)]]
    f.far_arms = [[sh, (190, F - 3), (204, F - 26)]]
    return zoom([mat(20, 380), floor(0, 400), pillow(96, F - 12, 44, 12), f.svg(), hl(f.along(0.3, 10), 24, 12),
                 arrow((230, F - 46), (230, F - 72), both=True)], 220, F - 40, 1.35, (200, 180))


def s_legs_wall():
    hip = (250, F - 13)
    f = Fig(hip, 180, head=183, legs=[(-90, -90, 0)], far_legs=[(-88, -90, 0)], arms=[(12, 0)])
    return [wall(266, "right"), mat(60, 266), floor(20, 266), pillow(150, F - 12, 44, 12), f.svg(),
            hl((hip[0] - 4, hip[1] - 6), 20, 12)]


def s_body_scan():
    hip = (230, F - 13)
    f = Fig(hip, 180, head=183, legs=[(1, 0, -85)], far_legs=[], arms=[(6, 2)])
    return [mat(40, 380), floor(), pillow(132, F - 12, 44, 12), f.svg(),
            f'<ellipse cx="225" cy="{F - 16}" rx="170" ry="28" fill="{HOT}" opacity=".22"/>',
            hl((f.head[0], f.head[1]), 20, op=".2"), arrow((300, F - 70), (160, F - 70), -14)]


SCENES = {
    "tennis-ball-suboccipital-release": s_suboccipital,
    "chin-tucks": s_chin_tucks,
    "upper-trap-stretch": s_upper_trap,
    "levator-scapulae-stretch": s_levator,
    "tennis-ball-levator-release": s_ball_levator,
    "neck-turns": s_neck_turns,
    "temple-scalp-massage": s_temples,
    "jaw-muscle-massage": s_jaw_massage,
    "jaw-rest-position": s_jaw_rest,
    "jaw-controlled-opening": s_jaw_open,
    "warm-towel-jaw": s_warm_towel,
    "doorway-pec-stretch": s_doorway,
    "wall-angels": s_wall_angels,
    "band-pull-aparts": s_band_pull,
    "towel-chest-opener": s_towel_chest,
    "foam-roller-upper-back": s_roller_upper_back,
    "tennis-ball-between-shoulder-blades": s_ball_between,
    "thread-the-needle": s_thread_needle,
    "cross-body-shoulder-stretch": s_cross_body,
    "shoulder-pendulum": s_pendulum,
    "towel-shoulder-stretch": s_towel_behind,
    "band-external-rotation": s_band_er,
    "shoulder-rolls": s_shoulder_rolls,
    "shrug-and-drop": s_shrug,
    "wrist-flexor-stretch": s_wrist_flexor,
    "wrist-extensor-stretch": s_wrist_extensor,
    "forearm-ball-rolling": s_forearm_ball,
    "hand-tendon-glides": s_glides,
    "band-wrist-extension": s_band_wrist,
    "knees-to-chest": s_knees_chest,
    "lying-spinal-twist": s_twist,
    "cat-cow": s_cat_cow,
    "childs-pose": s_child,
    "pelvic-tilts": s_pelvic_tilts,
    "glute-bridge": s_glute_bridge,
    "bird-dog": s_bird_dog,
    "psoas-release": s_psoas,
    "figure-four-stretch": s_figure_four,
    "tennis-ball-glute-release": s_ball_glute,
    "seated-piriformis-stretch": s_seated_piri,
    "clamshells": s_clams,
    "kneeling-hip-flexor-stretch": s_kneel_hip,
    "standing-hip-flexor-stretch": s_stand_hip,
    "standing-quad-stretch": s_quad,
    "towel-hamstring-stretch": s_towel_ham,
    "seated-hamstring-stretch": s_seated_ham,
    "step-hamstring-stretch": s_step_ham,
    "foam-roller-hamstrings": s_roller_ham,
    "hamstring-walkouts": s_walkouts,
    "standing-outer-hip-stretch": s_outer_hip_stretch,
    "foam-roller-outer-thigh": s_roller_outer_thigh,
    "tennis-ball-outer-hip-release": s_ball_tfl,
    "side-lying-leg-raise": s_leg_raise,
    "calf-rolling-foam-roller": s_calf_roller,
    "calf-rolling-tennis-ball": s_calf_ball,
    "wall-calf-stretch": s_wall_calf_straight,
    "bent-knee-calf-stretch": s_wall_calf_bent,
    "slow-heel-raises": s_heel_raises,
    "frozen-bottle-foot-roll": s_bottle,
    "towel-foot-stretch": s_towel_foot,
    "massage-ball-foot-roll": s_spiky,
    "towel-toe-scrunches": s_scrunch,
    "belly-breathing": s_breathing,
    "legs-up-the-wall": s_legs_wall,
    "body-scan-relaxation": s_body_scan,
}


# ----------------------------------------------------------------------------- added for issue #16
def label(x, y, text, size=15, anchor="middle"):
    """A word or two on the picture where a drawing alone can't say it (palm up, palm down)."""
    return (f'<text x="{fmt(x)}" y="{fmt(y)}" font-family="DejaVu Sans, Arial, sans-serif" font-size="{size}" '
            f'font-weight="bold" fill="{PROP}" stroke="none" text-anchor="{anchor}">{escape(text)}</text>')


def on_back(hip_x=250, legs=None, far_legs=None, arms=((12, 0),), far_arms=(), head=184):
    hip = (hip_x, F - 13)
    legs = legs if legs is not None else [dict(to=(hip_x + 62, F - 8), bend=-1, foot=0)]
    far_legs = far_legs if far_legs is not None else [dict(to=(hip_x + 58, F - 8), bend=-1, foot=0)]
    return Fig(hip, 181, head=head, arms=arms, far_arms=far_arms, legs=legs, far_legs=far_legs)


def on_side(hip_x=220, top_leg=None, bottom_leg=None, arms=((180, 190),), far_arms=()):
    """Lying on the side, head to the left on a pillow, face to the viewer's top."""
    hip = (hip_x, F - 24)
    f = Fig(hip, 180, head=190, arms=arms, far_arms=far_arms, legs=[[]], far_legs=[[]], front_face=True)
    f.legs = [top_leg or [hip, (hip_x + 58, F - 50), (hip_x + 104, F - 16), (hip_x + 118, F - 12)]]
    f.far_legs = [bottom_leg or [hip, (hip_x + 56, F - 8), (hip_x + 106, F - 8), (hip_x + 120, F - 6)]]
    return f


def prone(hip_x=260, lift=14, prop=None):
    """Lying on the front, propped on the forearms, looking ahead (to the left)."""
    hip = (hip_x, F - lift)
    f0 = Fig(hip, 194)
    sh = f0.shoulders[0]
    elbow = (sh[0] + 4, F - 6)
    f = Fig(hip, 194, head=190, face=185, facing=-1, legs=[(1, 1, 80)], far_legs=[(-1, 1, 80)])
    f.arms = [[sh, elbow, (elbow[0] - 40, F - 6)]]
    return f


def s_nerve_glide():
    f = on_back(legs=[(-84, -30, -80)], arms=[dict(to=(280, F - 66), bend=1)])
    k, a = f.legs[0][1], f.legs[0][2]
    return [mat(60, 380), floor(), f.svg(), hl(((f.hip[0] + k[0]) / 2 + 8, (f.hip[1] + k[1]) / 2), 8, 26, 6),
            arrow((a[0] + 8, a[1] + 30), (a[0] + 30, a[1] - 20), -14, both=True)]


def s_front_prop():
    f = prone()
    return [mat(40, 380), floor(), f.svg(), hl(f.along(0.1, 8), 26, 10, 14)]


def s_walks():
    f = Fig((200, F - 98), -88, head=-90, legs=[dict(to=(236, F - 6), bend=-1, foot=0)],
            far_legs=[dict(to=(166, F - 6), bend=-1, foot=-20)], arms=[(112, 66)], far_arms=[(66, 110)])
    return [floor(), f.svg(), arrow((250, 70), (320, 70)), hl(f.along(0.1, -6), 16, 12)]


def s_knee_rocks():
    f = on_back()
    k = f.legs[0][1]
    return [mat(60, 360), floor(), f.svg(), hl(f.along(0.1, 4), 24, 10),
            arrow((k[0] - 30, k[1] - 26), (k[0] + 30, k[1] - 26), 16, both=True)]


def s_side_pillow():
    f = on_side(hip_x=210, top_leg=[(210, F - 30), (264, F - 50), (310, F - 28), (324, F - 26)],
                bottom_leg=[(210, F - 24), (262, F - 8), (312, F - 8), (326, F - 6)])
    hx, hy = f.head
    return [mat(40, 370), floor(), pillow(hx - 32, F - 14, 56, 14), pillow(248, F - 36, 60, 16), f.svg(),
            hl((f.hip[0], f.hip[1] - 6), 20, 14)]


def s_pelvic_rocks():
    f = Fig((200, F - 98), -90, head=-90, arms=[dict(to=(214, F - 100), bend=-1)], legs=[(88, 92, 0)],
            far_legs=[(92, 90, 0)])
    return [floor(), f.svg(), hl((198, F - 96), 22, 14), spin((200, F - 96), 34, 120, 280)]


def s_fours_rock():
    f = all_fours(head=10)
    return [mat(60, 340), floor(), f.svg(), hl(f.along(0.25, 14), 28, 10, -22),
            arrow((120, 120), (250, 120), both=True)]


def s_hip_circles():
    f, ch = front_seated()
    return [floor(), ch, f.svg(), hl((200, F - 60), 26, 12), spin((200, F - 64), 44, 150, 300)]


def s_wall_tilt():
    hip = (206, F - 100)
    f = Fig(hip, -94, head=-90, arms=[(98, 84)], legs=[dict(to=(226, F - 6), bend=-1, foot=0)])
    return [wall(hip[0] - 14), floor(120), f.svg(), hl(f.along(0.15, 0), 16, 14),
            arrow((hip[0] + 44, hip[1] + 4), (hip[0] + 16, hip[1] + 4))]


def s_leg_swings():
    f = Fig((210, F - 100), -90, head=-90, far_arms=[dict(to=(138, F - 120), bend=1)], legs=[(60, 90, 0)],
            far_legs=[(90, 90, 0)])
    return [wall(130), floor(130), f.svg(), hl((214, F - 90), 16, 12),
            arrow((170, F - 20), (300, F - 40), -40, both=True)]


def s_roller_thighs():
    f = prone(hip_x=250, lift=30)
    k = f.legs[0][1]
    return [mat(40, 380), floor(), roller((f.hip[0] + 30, F - 16), 16), f.svg(),
            hl((f.hip[0] + 28, f.hip[1] + 6), 24, 8), arrow((230, F - 90), (320, F - 90), both=True)]


def s_shake():
    f = front_standing(arms=[(110, 100), (70, 80)])
    out = [floor(), f.svg()]
    for arm in f.arms:
        h = arm[-1]
        out.append(f'<path d="M{fmt(h[0] - 14)} {fmt(h[1] + 14)} l8 -8 l8 8 l8 -8" stroke="{ARROW}" stroke-width="4"/>')
    for leg in f.legs:
        a = leg[2]
        out.append(f'<path d="M{fmt(a[0] - 14)} {fmt(a[1] - 30)} l8 -8 l8 8 l8 -8" stroke="{ARROW}" stroke-width="4"/>')
    out.append(hl((200, f.neck[1] + 40), 40, 60, op=".18"))
    return out


def s_wall_press():
    f = front_standing(x=210, arms=[(92, 180), (84, 88)])
    hand = f.arms[0][-1]
    return [wall(hand[0] - 6), floor(hand[0] - 6), f.svg(), hl(f.shoulders[0], 14),
            arrow((hand[0] + 30, hand[1] - 20), (hand[0] + 6, hand[1] - 20))]


def s_side_turn_out():
    f = on_side(arms=[(4, -90)], far_arms=[(180, 190)])
    hand = f.arms[0][-1]
    elbow = f.arms[0][1]
    return [mat(40, 370), floor(), pillow(f.head[0] - 32, F - 14, 56, 14),
            f'<rect x="{fmt(elbow[0] - 14)}" y="{fmt(elbow[1] + 2)}" width="26" height="9" rx="4" fill="#5aa2b8"/>',
            f.svg(), hl(f.shoulders[0], 14), arrow((hand[0] + 24, hand[1] + 30), (hand[0] + 14, hand[1] - 6), 10)]


def back_view(x=200, arms=None, legs=None, **kw):
    hip = (x, F - 100)
    return Fig(hip, -90, front=True, back=True, arms=arms or [(100, 95), (80, 85)],
               legs=legs or [(95, 90, 180), (85, 90, 0)], **kw)


def blades(f, arrows=True, inward=True):
    l, r = f.shoulders
    y = l[1] + 22
    out = [hl((l[0] + 12, y), 10, 16), hl((r[0] - 12, y), 10, 16)]
    if arrows:
        out += [arrow((l[0] - 20, y - 10), (l[0] + 2, y + 8)), arrow((r[0] + 20, y - 10), (r[0] - 2, y + 8))]
    return out


def s_blade_set():
    f = back_view(arms=[(100, 95), (80, 85)])
    return zoom([floor(), f.svg(), *blades(f)], 200, 130, 1.5, (200, 155))


def s_wall_slides():
    hip = (206, F - 100)
    f = Fig(hip, -86, head=-88, arms=[(-60, -95)], far_arms=[(-62, -97)], legs=[(90, 90, 0)], far_legs=[(92, 90, 0)])
    return [wall(290, "right"), floor(40, 290), f.svg(), hl(f.shoulders[0], 14),
            arrow((300 - 24, 150), (300 - 24, 70))]


def s_sleeper():
    f = on_side(arms=[(-90, 170)], far_arms=[(180, 190)])
    hand = f.arms[0][-1]
    return [mat(40, 370), floor(), pillow(f.head[0] - 32, F - 14, 56, 14), f.svg(),
            hl((f.shoulders[0][0] + 6, f.shoulders[0][1] + 8), 14),
            arrow((hand[0] + 4, hand[1] - 20), (hand[0] - 20, hand[1] + 14), 14)]


def forearm_side(palm="down", hot="top", prop=None):
    """A forearm resting on a thigh, hand over the knee, seen from the side."""
    arm = line([(60, 150), (250, 150)], tint("arm"), 24)
    thigh = f'<rect x="40" y="164" width="240" height="40" rx="20" fill="#e9eff3" stroke="{PROP}" stroke-width="4"/>'
    hand = line([(254, 152), (278, 196)], tint("arm"), 20)
    out = [thigh, arm, hand]
    if prop == "bottle":
        out.append(f'<rect x="270" y="186" width="24" height="56" rx="8" fill="#cfeaf8" stroke="{PROP}" stroke-width="4"/>')
    out.append(hl((150, 138 if hot == "top" else 162), 80, 12))
    out.append(label(150, 100, f"palm {palm}"))
    return out


def s_lower_palm_down():
    return forearm_side("down", "top", "bottle") + [arrow((320, 150), (320, 220), 10)]


def s_lower_palm_up():
    return forearm_side("up", "top", "bottle") + [arrow((320, 150), (320, 220), 10)]


def s_outer_forearm_thumb():
    parts = forearm_side("down", "top")
    return parts + [line([(392, 40), (300, 96), (206, 126)], INK, 16), spin((206, 112), 14, 120)]


def s_inner_forearm_thumb():
    parts = forearm_side("up", "top")
    return parts + [line([(392, 40), (300, 96), (206, 126)], INK, 16), spin((206, 112), 14, 120)]


def s_towel_twist():
    f = front_standing(arms=[dict(to=(168, F - 130), bend=1), dict(to=(232, F - 130), bend=-1)])
    a, b = f.arms[0][-1], f.arms[1][-1]
    return [floor(), f.svg(), towel([(a[0] - 16, a[1]), (b[0] + 16, b[1])], 12),
            spin(a, 18, 180), spin(b, 18, 0), hl(((a[0] + f.shoulders[0][0]) / 2, a[1] - 20), 10, 22),
            hl(((b[0] + f.shoulders[1][0]) / 2, b[1] - 20), 10, 22)]


def s_forearm_turns():
    parts = forearm_side("in", "top")
    parts = [p for p in parts if "palm" not in p]
    return parts + [f'<rect x="268" y="92" width="24" height="60" rx="8" fill="#cfeaf8" stroke="{PROP}" stroke-width="4"/>',
                    spin((280, 122), 40, 200, 140), label(150, 100, "turn slowly")]


def open_hand(cx=200, cy=170, s=1.0):
    """A left hand, palm to the viewer, fingers up, thumb to the right."""
    ink = tint("arm")
    out = [f'<rect x="{fmt(cx - 46 * s)}" y="{fmt(cy - 20 * s)}" width="{fmt(92 * s)}" height="{fmt(90 * s)}" '
           f'rx="{fmt(30 * s)}" fill="#fff" stroke="{ink}" stroke-width="9"/>']
    for i, dx in enumerate((-33, -11, 11, 33)):
        h = (70, 84, 80, 62)[i] * s
        out.append(line([(cx + dx * s, cy - 22 * s), (cx + dx * s, cy - 22 * s - h)], ink, 15))
    out.append(line([(cx + 44 * s, cy + 20 * s), (cx + 86 * s, cy - 16 * s)], ink, 15))
    out.append(line([(cx, cy + 70 * s), (cx, cy + 130 * s)], ink, 30))
    return out


def s_thumb_web():
    return open_hand() + [hl((236, 176), 24, 18), line([(392, 300), (300, 230), (246, 186)], INK, 16),
                          spin((246, 170), 14, 120)]


def s_wrist_circles():
    return open_hand(150, 160, .8) + open_hand(280, 160, .8) + [spin((150, 240), 28, 200), spin((280, 240), 28, 200),
                                                               hl((150, 232), 22, 12), hl((280, 232), 22, 12)]


def s_thumb_open():
    return open_hand() + [hl((240, 170), 22, 18), line([(392, 120), (320, 140), (290, 150)], INK, 16),
                          arrow((300, 190), (336, 168), 10)]


def s_prayer():
    f = front_standing(arms=[dict(to=(196, F - 150), bend=1), dict(to=(204, F - 150), bend=-1)])
    return zoom([floor(), f.svg(), line([(200, F - 150), (200, F - 184)], INK, 10),
                 hl((178, F - 140), 10, 24), hl((222, F - 140), 10, 24),
                 arrow((250, F - 186), (250, F - 136))], 200, 140, 1.4, (200, 170))


def s_chair_back_ext():
    f, ch = seated(x=200, torso=-112, head=-128, arms=[dict(to=(204, F - 126), bend=-1)])
    return [floor(), ch, f.svg(), hl(f.along(0.7, -6), 12, 18, -20), arrow((200, 60), (152, 84), -18)]


def s_desk_reset():
    f, ch = front_seated(arms=[(-100, -95), (-80, -85)])
    return [floor(), ch, f.svg(), arrow((150, 60), (150, 26)), arrow((250, 60), (250, 26)),
            hl(f.shoulders[0], 12), hl(f.shoulders[1], 12)]


def s_back_bend():
    hip = (200, F - 100)
    f = Fig(hip, -100, head=-112, arms=[dict(to=(192, F - 110), bend=1)], legs=[(88, 92, 0)], far_legs=[(92, 90, 0)])
    return [floor(), f.svg(), hl(f.along(0.15, -8), 14, 16), arrow((250, 70), (214, 52), -12)]


def s_seated_twist():
    f, ch = front_seated(arms=[dict(to=(150, F - 108), bend=1), dict(to=(176, F - 66), bend=1)])
    return [floor(), ch, f.svg(), hl((200, F - 110), 20, 26), spin((200, F - 124), 52, 200, 120)]


def s_blade_squeeze():
    f = back_view(arms=[(96, 100), (84, 80)])
    return zoom([floor(), f.svg(), *blades(f)], 200, 130, 1.5, (200, 155))


def s_toe_lifts():
    f = Fig((206, F - 100), -90, head=-90, far_arms=[dict(to=(136, F - 120), bend=1)],
            legs=[(88, 92, -28)], far_legs=[(92, 90, -28)])
    k, a = f.legs[0][1], f.legs[0][2]
    return [wall(128), floor(128), f.svg(), hl(((k[0] + a[0]) / 2 + 8, (k[1] + a[1]) / 2), 8, 22),
            arrow((a[0] + 34, a[1] - 4), (a[0] + 34, a[1] - 30))]


def s_heel_walk():
    f = Fig((200, F - 98), -88, head=-90, legs=[dict(to=(232, F - 8), bend=-1, foot=-30)],
            far_legs=[dict(to=(170, F - 8), bend=-1, foot=-30)], arms=[(104, 70)], far_arms=[(72, 104)])
    k, a = f.legs[0][1], f.legs[0][2]
    return [floor(), f.svg(), hl(((k[0] + a[0]) / 2 + 8, (k[1] + a[1]) / 2), 8, 22), arrow((250, 70), (320, 70))]


def s_shin_massage():
    f, ch = seated(x=170, legs=[dict(to=(276, F - 44), bend=-1, foot=0)], far_legs=[dict(to=(222, F - 6), bend=-1, foot=0)],
                   arms=[dict(to=(240, F - 64), bend=-1)], head=-70, torso=-76)
    k, a = f.legs[0][1], f.legs[0][2]
    return [floor(), box(262, F - 36, 60, 41), ch, f.svg(), hl(((k[0] + a[0]) / 2, (k[1] + a[1]) / 2 - 6), 22, 8, 30),
            arrow((a[0] - 6, a[1] - 40), (k[0] + 8, k[1] - 30), -10)]


def s_kneel_shin():
    hip = (200, F - 40)
    f = Fig(hip, -86, head=-90, arms=[dict(to=(240, F - 6), bend=-1)], legs=[[]], far_legs=[[]])
    f.legs = [[hip, (250, F - 12), (190, F - 8), (168, F - 6)]]
    f.far_legs = [[hip, (246, F - 10), (186, F - 6), (164, F - 4)]]
    return [mat(100, 320), floor(), f.svg(), hl((220, F - 14), 28, 8)]


def s_open_book():
    f = on_side(arms=[(-100, -110)], far_arms=[(-10, -10)])
    hand = f.arms[0][-1]
    # Lying on the left side, the right arm opens: facing the viewer, the upper side is the
    # right only with the head to the right, so the drawing is mirrored.
    return mirror([mat(30, 360), floor(), pillow(f.head[0] - 32, F - 14, 56, 14), f.svg(), hl(f.along(0.7, 0), 22, 14),
                   arrow((f.far_arms[0][-1][0] + 10, F - 70), (hand[0] - 20, hand[1] + 10), 50)])


def s_side_reach():
    f = Fig((200, F - 100), -78, front=True, head=-74, arms=[(-70, -40), (60, 90)],
            legs=[(95, 90, 180), (85, 90, 0)])
    return [floor(), f.svg(), hl(f.along(0.55, 14), 12, 28, 12), arrow((170, 60), (250, 40), -10)]


def s_hug():
    f, ch = seated(x=200, torso=-82, head=-40, arch=-14, arms=[dict(to=(214, F - 130), bend=-1)])
    return [floor(), ch, f.svg(), hl(f.along(0.65, -16), 12, 22, -8)]


def s_shoulder_squeeze():
    f, ch = front_seated(arms=[(88, 90), dict(to=(180, F - 160), bend=-1)])
    l = f.shoulders[0]
    # The right hand squeezes the left shoulder: mirrored.
    return mirror(zoom([floor(), ch, f.svg(), hl(((l[0] + f.neck[0]) / 2 - 2, l[1] - 6), 18, 10, -28)],
                       200, 125, 1.5, (200, 160)))


def s_clasped_opener():
    hip = (200, F - 100)
    f = Fig(hip, -88, head=-92, arms=[(112, 150)], far_arms=[(114, 152)], legs=[(88, 92, 0)], far_legs=[(92, 90, 0)])
    return [floor(), f.svg(), hl(f.along(0.8, -14), 12, 18), arrow((150, 176), (132, 150), 8)]


def s_split_stance():
    hip = (200, F - 92)
    f = Fig(hip, -88, head=-90, arms=[dict(to=(212, F - 96), bend=-1)],
            legs=[dict(to=(134, F - 10), bend=1, foot=-150)], far_legs=[dict(to=(252, F - 6), bend=-1, foot=0)])
    return [floor(), f.svg(), hl((hip[0] + 6, hip[1] + 8), 13, 17, 20)]


def s_ham_hinge():
    hip = (190, F - 96)
    f = Fig(hip, -40, head=-30, arms=[dict(to=(176, F - 64), bend=1)],
            legs=[(70, 72, -60)], far_legs=[dict(to=(180, F - 6), bend=1, foot=0)])
    k = f.legs[0][1]
    return [floor(), f.svg(), hl(((hip[0] + k[0]) / 2 + 2, (hip[1] + k[1]) / 2 + 10), 8, 24, -20)]


def s_ham_hands():
    f = on_back(legs=[(-84, -84, 0)], arms=[dict(to=(262, F - 70), bend=1)])
    k = f.legs[0][1]
    return [mat(60, 360), floor(), f.svg(), hl(((f.hip[0] + k[0]) / 2 - 10, (f.hip[1] + k[1]) / 2), 8, 24, 6)]


def s_crossover():
    f = Fig((200, F - 100), -80, front=True, head=-78, arms=[(-88, -25), (80, 88)],
            legs=[dict(to=(224, F - 6), bend=1, foot=0), dict(to=(184, F - 6), bend=-1, foot=180)])
    hp = f.hips[0]
    return [floor(), f.svg(), hl((hp[0] - 6, hp[1] + 18), 12, 28), arrow((hp[0] - 20, hp[1] - 30), (hp[0] - 48, hp[1] - 30))]


def s_outer_thigh_hands():
    # One thigh at a time, both hands on it: from the side, the near (right) thigh's outside.
    f, ch = seated(x=180, head=-84, torso=-84, arms=[dict(to=(226, F - 68), bend=-1)],
                   far_arms=[dict(to=(206, F - 68), bend=-1)])
    k = f.legs[0][1]
    return [floor(), ch, f.svg(), hl(((f.hip[0] + k[0]) / 2 + 4, (f.hip[1] + k[1]) / 2 + 2), 30, 9),
            arrow((k[0] - 4, k[1] - 34), (f.hip[0] + 8, f.hip[1] - 34))]


def s_calf_hands():
    f, ch = seated(x=170, legs=[[]], far_legs=[dict(to=(226, F - 6), bend=-1, foot=0)],
                   arms=[dict(to=(238, F - 66), bend=-1)], head=-66, torso=-78)
    f.legs = [[f.hip, (226, F - 70), (262, F - 40), (276, F - 44)]]
    return [floor(), ch, f.svg(), hl((246, F - 56), 16, 8, 40), arrow((266, F - 30), (234, F - 80), 10)]


def s_flat_heel_raise():
    f = Fig((206, F - 110), -90, head=-90, far_arms=[dict(to=(136, F - 130), bend=1)],
            legs=[dict(to=(210, F - 22), bend=-1, foot=60)], far_legs=[dict(to=(206, F - 22), bend=-1, foot=60)])
    k, a = f.legs[0][1], f.legs[0][2]
    return [wall(128), floor(128), f.svg(), hl(((k[0] + a[0]) / 2 - 7, (k[1] + a[1]) / 2), 8, 20),
            arrow((260, F - 10), (260, F - 60), both=True)]


def s_step_back_calf():
    hip = (214, F - 94)
    f = Fig(hip, -80, head=-82, arms=[dict(to=(238, F - 80), bend=-1)],
            legs=[dict(to=(150, F - 6), bend=-1, foot=0)], far_legs=[dict(to=(262, F - 6), bend=-1, foot=0)])
    k, a = f.legs[0][1], f.legs[0][2]
    return [floor(), f.svg(), hl(((k[0] + a[0]) / 2 - 7, (k[1] + a[1]) / 2 - 4), 9, 20, 52)]


def s_ankle_circles():
    f, ch = seated(x=170, legs=[(0, 40, -30)], far_legs=[dict(to=(226, F - 6), bend=-1, foot=0)], head=-80)
    a = f.legs[0][2]
    return [floor(), ch, f.svg(), hl(a, 10), spin((a[0] + 8, a[1] + 2), 24, 200)]


def s_arch_thumbs():
    f, ch = seated(x=170, legs=[[]], far_legs=[dict(to=(226, F - 6), bend=-1, foot=0)],
                   arms=[dict(to=(254, F - 94), bend=-1)], head=-60, torso=-78)
    f.legs = [[f.hip, (226, F - 70), (236, F - 96), (262, F - 104)]]
    return [floor(), ch, f.svg(), hl((250, F - 96), 14, 8, -20), spin((250, F - 120), 12, 120)]


def s_box_breath():
    f, ch = front_seated()
    sq = f'<rect x="286" y="60" width="70" height="70" fill="none" stroke="{ARROW}" stroke-width="4" stroke-dasharray="10 6"/>'
    return [floor(), ch, f.svg(), hl((200, F - 90), 22, 14), sq, arrow((286, 60), (356, 60)), label(321, 152, "4 · 4 · 4 · 4", 13)]


def s_jaw_glides():
    c, face = close_face()
    return [face, hl((140, 160), 16, 22, -15), hl((260, 160), 16, 22, 15), arrow((160, 224), (240, 224), 0, both=True)]


def s_eyes_lead():
    f = front_standing(arms=[(106, 98), (74, 82)], look=(6, 0))
    hx, hy = f.head
    return zoom([floor(), f.svg(),
                 arrow((hx + 24, hy - 24), (hx + 52, hy - 24), 0), hl((f.neck[0], f.neck[1] - 2), 12, 10)],
                200, 110, 1.7, (200, 165))


def s_neck_side_bend():
    f, ch = front_seated(head=-118, arms=[(92, 94), (88, 86)])
    r = f.shoulders[1]
    return zoom([floor(), ch, f.svg(), hl(((r[0] + f.neck[0]) / 2 + 2, r[1] - 8), 20, 10, 28),
                 arrow((r[0] + 12, r[1] - 40), (r[0] + 12, r[1] - 14))], 200, 125, 1.5, (200, 160))


def s_glute_squeeze():
    f = back_view()
    l, r = f.hips
    return zoom([floor(), f.svg(), hl((l[0] + 2, l[1] + 10), 12, 14), hl((r[0] - 2, r[1] + 10), 12, 14),
                 arrow((l[0] - 34, l[1] + 10), (l[0] - 10, l[1] + 10)), arrow((r[0] + 34, r[1] + 10), (r[0] + 10, r[1] + 10))],
                200, 170, 1.4, (200, 160))


def s_hinge():
    hip = (180, F - 94)
    f = Fig(hip, -35, head=-28, arms=[dict(to=(186, F - 96), bend=1)],
            legs=[dict(to=(196, F - 6), bend=-1, foot=0)], far_legs=[dict(to=(192, F - 6), bend=-1, foot=0)])
    k = f.legs[0][1]
    return [floor(), f.svg(), hl((hip[0] - 4, hip[1] + 8), 14, 14), hl(((hip[0] + k[0]) / 2, (hip[1] + k[1]) / 2 + 4), 7, 18, -10),
            arrow((hip[0] - 20, hip[1] - 30), (hip[0] - 50, hip[1] - 14))]


def s_sit_to_stand():
    f, ch = seated(x=196, torso=-62, head=-50, arms=[(40, 40)], legs=[dict(to=(236, F - 6), bend=-1, foot=0)])
    return [floor(), ch, f.svg(), hl(f.legs[0][1], 16, 10), arrow((150, F - 70), (150, F - 130))]


def s_one_leg():
    f = Fig((206, F - 100), -90, head=-90, far_arms=[dict(to=(136, F - 120), bend=1)],
            legs=[(96, 90, 0)], far_legs=[(100, 200, 270)])
    a = f.legs[0][2]
    return [wall(128), floor(128), f.svg(), hl((a[0] + 6, a[1] + 2), 14, 8), hl(((f.legs[0][1][0] + a[0]) / 2, (f.legs[0][1][1] + a[1]) / 2), 7, 16)]


def s_wall_push():
    hip = (190, F - 98)
    f = Fig(hip, -66, head=-62, arms=[dict(to=(296, F - 150), bend=1)], far_arms=[dict(to=(296, F - 156), bend=1)],
            legs=[(104, 90, 0)], far_legs=[(100, 92, 0)])
    return [wall(300, "right"), floor(40, 300), f.svg(), hl(f.along(0.85, 10), 14, 10), arrow((250, 60), (280, 80), both=True)]


def s_door_side():
    frame = ('<rect x="0" y="20" width="120" height="245" fill="#e9eff3"/>'
             f'<path d="M120 265 V30 H200" fill="none" stroke="{PROP}" stroke-width="14"/>')
    f = Fig((180, F - 100), -96, front=True, head=-100, arms=[(-110, -120), (80, 90)],
            legs=[(98, 92, 180), (86, 90, 0)])
    return [frame, floor(), f.svg(), hl(f.along(0.7, -12), 10, 28, -6), arrow((236, F - 100), (270, F - 100))]


def s_seated_hug():
    f, ch = seated(x=190, legs=[dict(to=(214, F - 110), bend=-1, foot=0)],
                   far_legs=[dict(to=(236, F - 6), bend=-1, foot=0)], arms=[dict(to=(236, F - 104), bend=-1)], head=-86)
    return [floor(), ch, f.svg(), hl((f.hip[0] - 4, f.hip[1] - 8), 14, 16)]


def s_forward_rest():
    f, ch = seated(x=180, torso=-18, head=10, arms=[(70, 100)], legs=[dict(to=(238, F - 6), bend=-1, foot=0)])
    return [floor(), ch, pillow(196, F - 76, 60, 16), f.svg(), hl(f.along(0.3, -10), 24, 10, -18)]


def s_knee_across():
    hip = (250, F - 13)
    f = Fig(hip, 181, head=186, legs=[(-140, -20, 0)], far_legs=[(1, 0, -85)], arms=[dict(to=(210, F - 62), bend=1)])
    return zoom([mat(40, 380), floor(0, 400), f.svg(), hl((hip[0] + 6, hip[1] - 2), 16, 10),
                 arrow((250, F - 100), (200, F - 80), 10)], 230, F - 45, 1.35, (200, 175))


def s_dead_bug():
    hip = (250, F - 13)
    # The right arm (near) reaches overhead while the left foot (far) lowers.
    f = Fig(hip, 181, head=186, legs=[(-90, 0, -80)], far_legs=[(-20, -4, -80)], arms=[(228, 192)], far_arms=[(-90, -90)])
    return [mat(40, 380), floor(), f.svg(), hl(f.along(0.2, 8), 24, 9), arrow((330, F - 40), (370, F - 24), 8),
            arrow((130, F - 40), (100, F - 24), -8)]


SCENES_ADDED = {
    "lying-nerve-glide": s_nerve_glide,
    "front-lying-prop": s_front_prop,
    "little-walks": s_walks,
    "lying-knee-rocks": s_knee_rocks,
    "side-lying-pillow-rest": s_side_pillow,
    "standing-pelvic-rocks": s_pelvic_rocks,
    "all-fours-rocking": s_fours_rock,
    "seated-hip-circles": s_hip_circles,
    "wall-pelvic-tilt": s_wall_tilt,
    "leg-swings": s_leg_swings,
    "foam-roller-thighs": s_roller_thighs,
    "shake-out": s_shake,
    "wall-press-turn-out": s_wall_press,
    "side-lying-turn-out": s_side_turn_out,
    "shoulder-blade-set": s_blade_set,
    "wall-slides": s_wall_slides,
    "sleeper-stretch": s_sleeper,
    "slow-wrist-lowering-palm-down": s_lower_palm_down,
    "outer-forearm-thumb-massage": s_outer_forearm_thumb,
    "towel-twist": s_towel_twist,
    "slow-wrist-lowering-palm-up": s_lower_palm_up,
    "inner-forearm-thumb-massage": s_inner_forearm_thumb,
    "forearm-turns": s_forearm_turns,
    "thumb-web-massage": s_thumb_web,
    "wrist-circles": s_wrist_circles,
    "thumb-opening-stretch": s_thumb_open,
    "prayer-stretch": s_prayer,
    "chair-back-extension": s_chair_back_ext,
    "desk-reset": s_desk_reset,
    "standing-back-bend": s_back_bend,
    "seated-twist": s_seated_twist,
    "shoulder-blade-squeeze": s_blade_squeeze,
    "toe-lifts": s_toe_lifts,
    "heel-walking": s_heel_walk,
    "shin-hand-massage": s_shin_massage,
    "kneeling-shin-stretch": s_kneel_shin,
    "open-book": s_open_book,
    "standing-side-reach": s_side_reach,
    "hug-and-round": s_hug,
    "upper-shoulder-squeeze": s_shoulder_squeeze,
    "clasped-hands-chest-opener": s_clasped_opener,
    "split-stance-hip-flexor-stretch": s_split_stance,
    "standing-hamstring-hinge": s_ham_hinge,
    "lying-hamstring-hands": s_ham_hands,
    "standing-crossover-stretch": s_crossover,
    "outer-thigh-hand-massage": s_outer_thigh_hands,
    "calf-hand-squeeze": s_calf_hands,
    "flat-heel-raises": s_flat_heel_raise,
    "step-back-calf-stretch": s_step_back_calf,
    "ankle-circles": s_ankle_circles,
    "arch-thumb-massage": s_arch_thumbs,
    "box-breathing": s_box_breath,
    "jaw-side-glides": s_jaw_glides,
    "eyes-lead-neck-turns": s_eyes_lead,
    "gentle-neck-side-bend": s_neck_side_bend,
    "standing-glute-squeeze": s_glute_squeeze,
    "hip-hinge-practice": s_hinge,
    "sit-to-stand": s_sit_to_stand,
    "single-leg-balance": s_one_leg,
    "wall-push-up": s_wall_push,
    "doorway-side-stretch": s_door_side,
    "seated-knee-hug": s_seated_hug,
    "chair-forward-rest": s_forward_rest,
    "knee-to-opposite-shoulder": s_knee_across,
    "dead-bug": s_dead_bug,
}
SCENES.update(SCENES_ADDED)

# The limbs drawn in colour in each picture: the ones that do the work, on the side the steps
# name first ("arm", "leg", "far_arm", "far_leg" in a side view; "arm0" is the arm on the
# viewer's left in a front view, the figure's right unless the scene is mirrored or seen from
# behind; a close-up's forearm or hand is "arm"). Empty: the work is in the head, the jaw or
# the trunk, and only the orange patch marks it.
WORKING = {
    "tennis-ball-suboccipital-release": "",
    "chin-tucks": "",
    "upper-trap-stretch": "arm1",  # mirrored: the right arm holds the seat, the right side stretches
    "levator-scapulae-stretch": "arm1",  # the same
    "tennis-ball-levator-release": "arm",
    "neck-turns": "",
    "temple-scalp-massage": "",
    "jaw-muscle-massage": "",
    "jaw-rest-position": "",
    "jaw-controlled-opening": "",
    "warm-towel-jaw": "",
    "doorway-pec-stretch": "arm0 arm1",
    "wall-angels": "arm0 arm1",
    "band-pull-aparts": "arm0 arm1",
    "towel-chest-opener": "",
    "foam-roller-upper-back": "",
    "tennis-ball-between-shoulder-blades": "arm",
    "thread-the-needle": "arm",  # the right arm threads under
    "cross-body-shoulder-stretch": "arm0",
    "shoulder-pendulum": "arm",  # the right arm hangs, the left rests on the chair
    "towel-shoulder-stretch": "arm0",  # the right hand on top; the patches show both shoulders
    "band-external-rotation": "arm0 arm1",
    "shoulder-rolls": "",
    "shrug-and-drop": "",
    "wrist-flexor-stretch": "arm",
    "wrist-extensor-stretch": "arm",
    "forearm-ball-rolling": "arm",
    "hand-tendon-glides": "arm",
    "band-wrist-extension": "arm",
    "knees-to-chest": "leg far_leg",
    "lying-spinal-twist": "leg0 leg1",
    "cat-cow": "",
    "childs-pose": "",
    "pelvic-tilts": "",
    "glute-bridge": "leg far_leg",
    "bird-dog": "arm far_leg",  # the right arm forward, the left leg back
    "psoas-release": "",
    "figure-four-stretch": "leg",
    "tennis-ball-glute-release": "leg",
    "seated-piriformis-stretch": "leg0",
    "clamshells": "leg",
    "kneeling-hip-flexor-stretch": "leg",
    "standing-hip-flexor-stretch": "leg",
    "standing-quad-stretch": "leg",
    "towel-hamstring-stretch": "leg",
    "seated-hamstring-stretch": "leg",
    "step-hamstring-stretch": "leg",
    "foam-roller-hamstrings": "leg",
    "hamstring-walkouts": "leg far_leg",
    "standing-outer-hip-stretch": "leg0",
    "foam-roller-outer-thigh": "leg",
    "tennis-ball-outer-hip-release": "leg0",
    "side-lying-leg-raise": "leg",
    "calf-rolling-foam-roller": "leg",
    "calf-rolling-tennis-ball": "leg",
    "wall-calf-stretch": "leg",
    "bent-knee-calf-stretch": "leg",
    "slow-heel-raises": "leg far_leg",
    "frozen-bottle-foot-roll": "leg",
    "towel-foot-stretch": "leg",
    "massage-ball-foot-roll": "leg",
    "towel-toe-scrunches": "leg",
    "belly-breathing": "",
    "legs-up-the-wall": "leg far_leg",
    "body-scan-relaxation": "",
    "lying-nerve-glide": "leg",
    "front-lying-prop": "",
    "little-walks": "",
    "lying-knee-rocks": "leg far_leg",
    "side-lying-pillow-rest": "",
    "standing-pelvic-rocks": "",
    "all-fours-rocking": "",
    "seated-hip-circles": "",
    "wall-pelvic-tilt": "",
    "leg-swings": "leg",
    "foam-roller-thighs": "leg far_leg",
    "shake-out": "arm0 arm1 leg0 leg1",
    "wall-press-turn-out": "arm0",
    "side-lying-turn-out": "arm",
    "shoulder-blade-set": "",
    "wall-slides": "arm far_arm",
    "sleeper-stretch": "arm",
    "slow-wrist-lowering-palm-down": "arm",
    "outer-forearm-thumb-massage": "arm",
    "towel-twist": "arm0 arm1",
    "slow-wrist-lowering-palm-up": "arm",
    "inner-forearm-thumb-massage": "arm",
    "forearm-turns": "arm",
    "thumb-web-massage": "arm",
    "wrist-circles": "arm",
    "thumb-opening-stretch": "arm",
    "prayer-stretch": "arm0 arm1",
    "chair-back-extension": "",
    "desk-reset": "arm0 arm1",
    "standing-back-bend": "",
    "seated-twist": "arm0",  # turning to the right, the right hand on the chair back
    "shoulder-blade-squeeze": "",
    "toe-lifts": "leg far_leg",
    "heel-walking": "leg far_leg",
    "shin-hand-massage": "leg",
    "kneeling-shin-stretch": "leg far_leg",
    "open-book": "arm",  # on the left side, the right arm opens
    "standing-side-reach": "arm0",
    "hug-and-round": "",
    "upper-shoulder-squeeze": "arm0",  # mirrored: the left shoulder is squeezed by the right hand
    "clasped-hands-chest-opener": "arm far_arm",
    "split-stance-hip-flexor-stretch": "leg",
    "standing-hamstring-hinge": "leg",
    "lying-hamstring-hands": "leg",
    "standing-crossover-stretch": "leg0",
    "outer-thigh-hand-massage": "leg",
    "calf-hand-squeeze": "leg",
    "flat-heel-raises": "leg far_leg",
    "step-back-calf-stretch": "leg",
    "ankle-circles": "leg",
    "arch-thumb-massage": "leg",
    "box-breathing": "",
    "jaw-side-glides": "",
    "eyes-lead-neck-turns": "",
    "gentle-neck-side-bend": "arm1",  # the right ear tips, the left side stretches
    "standing-glute-squeeze": "leg0 leg1",
    "hip-hinge-practice": "",
    "sit-to-stand": "leg",
    "single-leg-balance": "leg",  # the standing leg
    "wall-push-up": "arm far_arm",
    "doorway-side-stretch": "arm0",
    "seated-knee-hug": "leg",
    "chair-forward-rest": "",
    "knee-to-opposite-shoulder": "leg",
    "dead-bug": "arm far_leg",  # the right arm overhead, the left foot lowering
}


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(name, parts):
    body = "\n".join(p for p in parts if p)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300" '
            f'role="img" aria-labelledby="t">\n<title id="t">{escape(name)}</title>\n'
            f'<rect width="400" height="300" fill="#fbfaf7"/>\n'
            f'<g fill="none" stroke-linecap="round" stroke-linejoin="round">\n{body}\n</g>\n</svg>\n')


def load_library():
    spec = importlib.util.spec_from_file_location("aftercare_library", ROOT / "exercises" / "library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def draw(slug: str) -> list[str]:
    """The parts of one exercise's picture, its working limbs in colour."""
    global _working
    _working = frozenset(WORKING[slug].split())
    try:
        return SCENES[slug]()
    finally:
        _working = frozenset()


def main():
    library = load_library()
    OUT.mkdir(parents=True, exist_ok=True)
    missing = [e["slug"] for e in library.EXERCISES if e["slug"] not in SCENES or e["slug"] not in WORKING]
    if missing:
        raise SystemExit(f"No drawing or no working side for: {', '.join(missing)}")
    for exercise in library.EXERCISES:
        svg = render(exercise["name"], draw(exercise["slug"]))
        (OUT / exercise["illustration"]).write_text(svg, encoding="utf-8")
    print(f"Wrote {len(library.EXERCISES)} illustrations to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
