"""H5P packages: validation of uploaded `.h5p` archives, their storage on
disk and the `H5PPackage` snippet that course blocks will point at.

Serving (separate origin, sandboxed iframe) and xAPI are built on top of this
later; nothing here ever executes or renders package content.
"""
