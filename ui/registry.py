"""The pages of the app, in the order of the navigation, with what each offers.

The page scripts live in app_pages/, not pages/: Streamlit treats a folder named pages/
beside the entry script as a legacy multipage app until `st.navigation` first runs, so
the first bookmarked link opened after start-up would show "Page not found".
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class PageEntry:
    """One page: its script, where it sits in the navigation and what it offers.

    The page's URL is its script's name: app_pages/activations.py is at /activations.
    """

    script: str
    title: str
    icon: str
    section: str
    summary: str


HOME = PageEntry(
    script="app_pages/home.py",
    title="Home",
    icon=":material/home:",
    section="",
    summary="What the app offers, with a link to every page.",
)

PAGES = (
    PageEntry(
        script="app_pages/activations.py",
        title="Activations",
        icon=":material/show_chart:",
        section="Concepts",
        summary="Ten activation functions and their derivatives, where gradients vanish, "
        "and one neuron f(w·x + b) with sliders.",
    ),
    PageEntry(
        script="app_pages/backprop.py",
        title="Backpropagation",
        icon=":material/account_tree:",
        section="Concepts",
        summary="A tiny network's forward pass, every neuron's error and every weight's "
        "gradient by the chain rule, and gradient descent step by step.",
    ),
    PageEntry(
        script="app_pages/convolution.py",
        title="Convolution",
        icon=":material/grid_on:",
        section="Concepts",
        summary="Slide a kernel over a real image, with stride, padding and dilation, and "
        "follow one output value step by step.",
    ),
    PageEntry(
        script="app_pages/pooling.py",
        title="Pooling",
        icon=":material/photo_size_select_small:",
        section="Concepts",
        summary="Max, average and global pooling window by window, and what moving the "
        "image by one pixel does to the pooled output.",
    ),
    PageEntry(
        script="app_pages/optimizers.py",
        title="Optimizers and losses",
        icon=":material/route:",
        section="Concepts",
        summary="SGD, momentum, Nesterov, Adagrad, RMSprop, Adam and AdamW race on 2-D "
        "surfaces, run by the real Keras optimizers; losses against the prediction.",
    ),
    PageEntry(
        script="app_pages/batch_norm.py",
        title="Batch norm",
        icon=":material/equalizer:",
        section="Concepts",
        summary="Normalise a small batch by hand with its mean, variance, gamma and beta; train "
        "the moving averages, switch to inference, and see what batch size does.",
    ),
    PageEntry(
        script="app_pages/playground.py",
        title="Playground (MLP)",
        icon=":material/scatter_plot:",
        section="Train",
        summary="Train a small network on 2-D points and watch its decision boundary and "
        "every hidden neuron change, with 2 to 6 classes, dropout and L1/L2.",
    ),
    PageEntry(
        script="app_pages/device_check.py",
        title="Device check",
        icon=":material/memory:",
        section="Train",
        summary="Train a small model on the device you choose, on one device or mirrored "
        "over several, and see where it ran and how fast.",
    ),
    PageEntry(
        script="app_pages/sequences.py",
        title="Sequences (RNN, LSTM, GRU)",
        icon=":material/timeline:",
        section="Train",
        summary="Classify requests in English and Chinese or forecast a time series with a "
        "SimpleRNN, LSTM, GRU, Conv1D or Transformer; see the hidden state token by token.",
    ),
    PageEntry(
        script="app_pages/memory.py",
        title="Memory (RNN, LSTM, GRU)",
        icon=":material/psychology:",
        section="Train",
        summary="Train a SimpleRNN, an LSTM and a GRU side by side on sequences whose answer "
        "is their first token; see the SimpleRNN forget at length 60 and remember at 5.",
    ),
    PageEntry(
        script="app_pages/cnn.py",
        title="Image classifier (CNN)",
        icon=":material/image_search:",
        section="Train",
        summary="Train a CNN on handwritten digits, faces or shapes with conv blocks, "
        "pooling, batch norm, dropout and augmentation; see its filters, feature maps, "
        "confusion matrix and mistakes.",
    ),
    PageEntry(
        script="app_pages/video_model.py",
        title="Video model",
        icon=":material/movie:",
        section="Train",
        summary="Tell which way a hand-held camera, or what it films, moves with a per-frame "
        "CNN and a GRU, a ConvLSTM or a Conv3D; see its confusions and its first layer frame "
        "by frame.",
    ),
    PageEntry(
        script="app_pages/residual.py",
        title="Depth and residuals (ResNet)",
        icon=":material/stacks:",
        section="Train",
        summary="Train one deep network plain, with batch norm, with skip connections and "
        "with both, side by side; see the gradient fade or flow through every layer.",
    ),
    PageEntry(
        script="app_pages/overfitting.py",
        title="Overfitting lab",
        icon=":material/difference:",
        section="Train",
        summary="Train a big network on 100 digits and watch it memorise them; see dropout, "
        "L2, augmentation, early stopping and more data close the gap, side by side, with "
        "the test score once at the end.",
    ),
    PageEntry(
        script="app_pages/gan.py",
        title="GAN",
        icon=":material/blur_on:",
        section="Train",
        summary="Watch a generator learn a ring, a spiral, moons or a grid of points while "
        "a discriminator maps what looks real; push it into mode collapse.",
    ),
    PageEntry(
        script="app_pages/try_image.py",
        title="Your image",
        icon=":material/photo_camera:",
        section="Try it",
        summary="Your photo, a drawing or a sample through a bundled or your own model: "
        "top classes, the preprocessing, feature maps, Grad-CAM and saliency; teach it your "
        "own classes.",
    ),
    PageEntry(
        script="app_pages/try_text.py",
        title="Your text",
        icon=":material/chat:",
        section="Try it",
        summary="Type a request in English or Chinese and see its intent, which words drove "
        "it and the recurrent hidden state word by word; classify a whole CSV.",
    ),
    PageEntry(
        script="app_pages/try_video.py",
        title="Your video",
        icon=":material/videocam:",
        section="Try it",
        summary="Upload a clip or pick a sample: its frames, the motion model's answer over "
        "time, motion energy and Grad-CAM on any frame.",
    ),
)

SECTIONS = ("Concepts", "Train", "Try it")
