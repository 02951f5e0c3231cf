"""Train with PyTorch straight from ocrgen: datasets over a plan file or a config, and a recognition collate.

Needs the `torch` extra (`pip install 'ocrgen[torch]'`); `import ocrgen` never imports torch.
"""

try:
    import torch  # noqa: F401  # checked first, so a missing install says what to do in one line
except ModuleNotFoundError as missing:
    if missing.name != "torch":
        raise
    raise ImportError("ocrgen.torch needs PyTorch; install it with: pip install 'ocrgen[torch]'") from None

from ocrgen.charset import Charset
from ocrgen.torch.collate import RecognitionBatch, RecognitionCollate
from ocrgen.torch.generated_dataset import GeneratedDataset
from ocrgen.torch.plan_dataset import PlanDataset

__all__ = ["Charset", "GeneratedDataset", "PlanDataset", "RecognitionBatch", "RecognitionCollate"]
