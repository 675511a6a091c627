"""What a person uploads or types, turned into arrays: images, video, texts and tokens.

No TensorFlow here: the decoders say what a file is when they cannot read it.
"""
