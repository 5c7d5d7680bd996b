internal import CBLAS
internal import CLAPACKE
