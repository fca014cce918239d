"""
Build configuration for the optional C speedups; everything else is in
pyproject.toml.  If the extension cannot be compiled, torsion installs and
runs in pure Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "torsion._cdefer",
            ["src/torsion/_cdefer.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
