"""Nothing → one title: the cheapest page AppTest can run, the floor the app benchmark compares against."""

import streamlit as st

st.title("floor")
