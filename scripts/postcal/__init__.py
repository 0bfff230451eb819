"""postcal: social media management as code."""

from postcal.problems import Problem, Severity
from postcal.text.measure import Measurement, measure

__all__ = ["Measurement", "Problem", "Severity", "measure"]
__version__ = "0.1.0"
