"""run_generated.py TEST_EXE DATA_DIR OUT_DIR — writes the generated .bin files, then runs the C test on them."""
import os
import subprocess
import sys

exe, data, out = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
subprocess.run([sys.executable, os.path.join(here, "make_bins.py"), out,
                os.path.join(data, "models", "bert-tiny", "model.safetensors")], check=True, timeout=120)
sys.exit(subprocess.run([exe, out], timeout=300).returncode)
