"""Looking inside a trained model: Grad-CAM and saliency, hidden states and attention,
a text's attributions, and a clip's timeline."""
