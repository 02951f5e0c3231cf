"""ocrgen: synthetic OCR training data with labels true to the pixel."""
