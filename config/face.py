"""Thresholds of face capture and matching, shared by the kiosk, the backend and benchmarks."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class FaceMatchSettings(BaseModel):
    """How portraits are encoded and when two of them count as one person.

    Distances are Euclidean between 128-d face_recognition encodings. The library's usual 0.6
    lets look-alike strangers through; an identity document needs a stricter line, and the band
    between ``verify_max_distance`` and ``review_max_distance`` goes to an officer instead of
    failing the citizen.
    """

    verify_max_distance: float = Field(default=0.50, gt=0, lt=2)
    review_max_distance: float = Field(default=0.60, gt=0, lt=2)
    duplicate_max_distance: float = Field(default=0.50, gt=0, lt=2)
    num_jitters: int = Field(default=1, ge=1, le=100)
    detect_max_side: int = Field(default=800, ge=160, description="downscale before detection")
    detect_upsample: int = Field(default=1, ge=0, le=3)
    min_inter_eye_px: float = Field(default=20, gt=0, description="smaller faces are refused")
    second_face_min_ratio: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="a second face at least this tall relative to the first means two people",
    )

    @model_validator(mode="after")
    def _ordered(self) -> FaceMatchSettings:
        if self.review_max_distance < self.verify_max_distance:
            raise ValueError("review_max_distance must not be below verify_max_distance")
        return self


class FaceQualitySettings(BaseModel):
    """Limits of the live quality checks, tuned for 640x480 preview frames.

    ISO/IEC 19794-5 asks for at least 60 px between the eye centres in a portrait, so a face
    with fewer is "too far". A head is about 3.6 inter-eye distances from chin to crown, so at a
    quarter of the frame height (120 px on 480) it already fills ~90% of the height and the
    portrait crop loses its margin: "too close".
    """

    detect_max_side: int = Field(default=640, ge=160, description="full detections run at this")
    redetect_every: int = Field(
        default=6, ge=1, description="frames between full-frame detections while tracking"
    )
    track_face_px: int = Field(
        default=100, ge=80, description="face box width the tracking window is rescaled to"
    )
    second_face_min_ratio: float = Field(default=0.4, gt=0, le=1)
    min_inter_eye_px: float = Field(default=60, gt=0)
    max_inter_eye_share: float = Field(
        default=0.25, gt=0, le=1, description="of the frame height; above is too close"
    )
    max_center_offset_x: float = Field(default=0.12, gt=0, le=0.5, description="of frame width")
    max_center_offset_y: float = Field(default=0.15, gt=0, le=0.5, description="of frame height")
    max_abs_yaw: float = Field(default=0.12, gt=0)
    min_pitch: float = Field(default=0.40)
    max_pitch: float = Field(default=1.00)
    max_abs_roll_deg: float = Field(default=10.0, gt=0)
    min_eyes_open_ear: float = Field(default=0.16, gt=0)
    min_brightness: float = Field(default=70.0, ge=0, le=255)
    max_brightness: float = Field(default=210.0, ge=0, le=255)
    min_evenness: float = Field(
        default=0.5, gt=0, le=1, description="darker over brighter half of the face"
    )
    min_sharpness: float = Field(
        default=60.0, ge=0, description="100 x Laplacian variance / variance, face 96 px wide"
    )


class LivenessSettings(BaseModel):
    """Rules of the blink / head-turn challenge (signals as in biometrics.face.geometry)."""

    challenge_seconds: float = Field(default=6.0, gt=0)
    face_lost_seconds: float = Field(default=1.0, gt=0)
    closed_ear: float = Field(default=0.15, gt=0)
    open_ear: float = Field(default=0.18, gt=0)
    closed_share: float = Field(
        default=0.6, gt=0, lt=1, description="closed also at this share of the open eye ratio"
    )
    reopen_share: float = Field(
        default=0.85, gt=0, le=1, description="open again at this share of the open eye ratio"
    )
    turn_yaw: float = Field(default=0.18, gt=0)
    frontal_yaw: float = Field(default=0.10, gt=0)
    min_turn_depth: float = Field(
        default=0.07,
        ge=0,
        description="the nose must also move against the eyes-and-chin frame, which no flat "
        "picture does however it is tilted",
    )
    max_jump_share: float = Field(
        default=0.6, gt=0, description="face centre moves between frames, in face widths"
    )
    max_size_change: float = Field(default=1.5, gt=1, description="face width ratio per frame")

    @model_validator(mode="after")
    def _ordered(self) -> LivenessSettings:
        if self.open_ear <= self.closed_ear:
            raise ValueError("open_ear must be above closed_ear")
        if self.frontal_yaw >= self.turn_yaw:
            raise ValueError("frontal_yaw must be below turn_yaw")
        return self
