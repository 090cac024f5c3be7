"""Camera: interface, OpenCV driver, and an MJPEG-over-HTTP simulator playing face scenarios."""

from devices.camera.driver import OpenCvCamera, open_camera
from devices.camera.interface import Camera, CameraError, CameraUnavailable, Frame

__all__ = ["Camera", "CameraError", "CameraUnavailable", "Frame", "OpenCvCamera", "open_camera"]
