"""The files a review writes: HTML pages, the index, the Excel workbook."""
