"""What every trainer shares: compiling, live fit, one History, test scores, saving, the
project's registered Keras classes, and the pieces of the exported scripts."""
