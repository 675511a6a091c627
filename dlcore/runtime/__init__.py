"""Where models run: devices and placement, the device check, and a Keras memory fix."""
